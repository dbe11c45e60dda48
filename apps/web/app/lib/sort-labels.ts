import type { ProductSort } from '@storefront/contracts';

/**
 * Human labels of the sort orders a category page offers, in display order (`relevance` needs a
 * search query, so listings do not offer it). Client-safe: no schema code is pulled in.
 */
export const SORT_LABELS: Record<Exclude<ProductSort, 'relevance'>, string> = {
  newest: 'Newest',
  price_asc: 'Price: low to high',
  price_desc: 'Price: high to low',
  name_asc: 'Name: A to Z',
};
