import { ListProductsQuerySchema, type ProductList } from '@storefront/contracts';

/** The page query parameters a listing page forwards to the API; every other one is ignored. */
export const LISTING_PARAMS = [
  'facet',
  'sort',
  'cursor',
  'minPrice',
  'maxPrice',
  'inStock',
] as const;

/** The page query parameters of a search page: the search terms, then the listing's. */
export const SEARCH_PARAMS = ['q', ...LISTING_PARAMS] as const;

/** The page parameters a listing keeps in its links (category pages or search pages). */
export type ListingParamNames = readonly string[];

/** What a listing lists: a category's products, or the products matching search terms. */
export type ListingScope = { category: string } | { q: string };

/**
 * The API query of a listing page: its scope (category or search terms) plus the allowed
 * parameters of the page URL, validated by the same contract the API applies. `undefined` when
 * the URL is not a valid listing (the page answers 400 rather than forwarding junk).
 */
export function listingApiQuery(scope: ListingScope, pageUrl: URL): URLSearchParams | undefined {
  const query = new URLSearchParams(
    'category' in scope ? { category: scope.category } : { q: scope.q },
  );
  for (const name of LISTING_PARAMS) {
    for (const value of pageUrl.searchParams.getAll(name)) {
      if (value !== '') query.append(name, value);
    }
  }
  const raw: Record<string, string | string[]> = {};
  for (const name of new Set(query.keys())) {
    const values = query.getAll(name);
    raw[name] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return ListProductsQuerySchema.safeParse(raw).success ? query : undefined;
}

/** The listing parameters of a request's query, without anything else (e.g. React Router's own). */
function listingParams(search: URLSearchParams, names: ListingParamNames): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of names) for (const value of search.getAll(name)) params.append(name, value);
  return params;
}

/**
 * A link target (on the page's canonical `path`, never the request path, which is `….data` on
 * client-side navigations) that toggles one facet filter on the current listing URL and restarts at the
 * first page (a cursor belongs to the old filter set). `names`: the parameters the page keeps
 * ({@link SEARCH_PARAMS} on search pages).
 */
export function toggleFacetHref(
  path: string,
  search: URLSearchParams,
  facet: string,
  names: ListingParamNames = LISTING_PARAMS,
): string {
  const params = listingParams(search, names);
  const current = params.getAll('facet');
  params.delete('facet');
  params.delete('cursor');
  const next = current.includes(facet) ? current.filter((f) => f !== facet) : [...current, facet];
  for (const f of next) params.append('facet', f);
  const qs = params.toString();
  return `${path}${qs === '' ? '' : `?${qs}`}`;
}

/** The listing URL of the next page (same filters and sort, the API's opaque cursor). */
export function pageHref(
  path: string,
  search: URLSearchParams,
  cursor: string | null,
  names: ListingParamNames = LISTING_PARAMS,
): string {
  const params = listingParams(search, names);
  params.delete('cursor');
  if (cursor !== null) params.set('cursor', cursor);
  const qs = params.toString();
  return `${path}${qs === '' ? '' : `?${qs}`}`;
}

/**
 * What a listing page renders around its products, from the API's page and the page URL: facets
 * with toggle links, the selected filters, and the first/next page links (all on the page's
 * canonical `path`). Shared by the category and search pages.
 */
export function listingView(
  path: string,
  pageUrl: URL,
  list: ProductList,
  names: ListingParamNames = LISTING_PARAMS,
) {
  const search = pageUrl.searchParams;
  const selected = search.getAll('facet');
  return {
    products: list.items,
    total: list.total,
    sort: list.sort,
    facets: list.facets.map((f) => ({
      key: f.key,
      values: f.values.map((v) => {
        const facet = `${f.key}:${v.value}`;
        return {
          ...v,
          selected: selected.includes(facet),
          href: toggleFacetHref(path, search, facet, names),
        };
      }),
    })),
    selected,
    firstPageHref: search.has('cursor') ? pageHref(path, search, null, names) : null,
    nextPageHref: list.nextCursor === null ? null : pageHref(path, search, list.nextCursor, names),
  };
}

/** A listing page's view (see {@link listingView}). */
export type ListingView = ReturnType<typeof listingView>;
