/**
 * How a listing bounded by price reads its page. PostgreSQL can find such a page two ways: walk
 * the sort's index and skip the products outside the price range (cheap when most products
 * match: it stops after one page), or read the matching products through a price index and sort
 * them (cheap when few match: a walk would skip nearly the whole catalogue). Left to choose per
 * execution, it re-plans the query every time, which costs more than running it; and a plan
 * reused for every bound is the walk, which visits every product when the bound keeps a handful.
 * So the repository picks the shape from the price-band totals and writes the SQL so that each
 * shape's one reusable plan is the right one ({@link ProductListingRepository}).
 *
 * - `walk`: the price bound is hidden from the planner in a scalar subquery (as the limit
 *   of every page query but a search's is), so every execution gets the same plan, led by the sort's index and the
 *   other filters.
 * - `range`: each bound is written as a closed range, which the planner estimates as narrow
 *   without seeing its values, so its one plan reads the price index.
 */
export type PricePageShape = 'walk' | 'range';

/**
 * Active products priced at or above each band's lower bound, over every category and stock
 * state: the `''` (total) rows of `product_price_band_count`. Used to choose a page query's
 * shape, never to answer a query, so a copy some seconds old is good enough.
 */
export interface PriceDistribution {
  /** The bands' lower bounds in cents, ascending; band 0 starts at 0. */
  lowers: readonly number[];
  /** `toAtLeast[k]`: products whose `price_to` is at least `lowers[k]`. */
  toAtLeast: readonly number[];
  /** `fromAtLeast[k]`: products whose `price_from` is at least `lowers[k]`. */
  fromAtLeast: readonly number[];
}

/**
 * The walk costs about (page rows × products ÷ matches) index entries, the range read about
 * matches × this factor (each match is fetched, joined and sorted, not just skipped). Measured
 * on the demo catalogue: the two cost the same at about 80 matches of 2,170 for a page of 25.
 */
const RANGE_ROW_COST = 8;

/** Index of the last band whose lower bound is at or below `price` (band 0 starts at 0). */
function bandOf(lowers: readonly number[], price: number): number {
  let low = 0;
  let high = lowers.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((lowers[mid] ?? Infinity) <= price) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * An upper bound on the number of active products a price range matches, from the band totals:
 * every product with `price_to >= minPrice` has `price_to` at or above the lower bound of
 * `minPrice`'s band; every product with `price_from <= maxPrice` is outside the bands that start
 * above `maxPrice`.
 */
export function priceMatchesAtMost(
  distribution: PriceDistribution,
  minPrice: number | undefined,
  maxPrice: number | undefined,
): number {
  const { lowers, toAtLeast, fromAtLeast } = distribution;
  const total = fromAtLeast[0] ?? 0;
  let most = total;
  if (minPrice !== undefined) most = Math.min(most, toAtLeast[bandOf(lowers, minPrice)] ?? 0);
  if (maxPrice !== undefined) {
    const above = bandOf(lowers, maxPrice) + 1;
    if (above < lowers.length) most = Math.min(most, total - (fromAtLeast[above] ?? 0));
  }
  return Math.max(most, 0);
}

/** The page shape for a listing bounded by price (at least one bound given), `pageRows` a page. */
export function pricePageShape(
  distribution: PriceDistribution,
  minPrice: number | undefined,
  maxPrice: number | undefined,
  pageRows: number,
): PricePageShape {
  const total = distribution.fromAtLeast[0] ?? 0;
  const matches = priceMatchesAtMost(distribution, minPrice, maxPrice);
  return RANGE_ROW_COST * matches * matches < pageRows * total ? 'range' : 'walk';
}
