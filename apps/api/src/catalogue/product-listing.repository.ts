import { Inject, Injectable } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { ProductSort } from '@storefront/contracts';
import type { ProductCursor } from './product-cursor';
import { pricePageShape, type PriceDistribution, type PricePageShape } from './price-shape';

/** Filters of a product listing, already validated. */
export interface ListingFilter {
  q?: string | undefined;
  categorySlug?: string | undefined;
  facets: { key: string; value: string }[];
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  inStock?: boolean | undefined;
}

/** A row of a listing page. */
export interface ListingRow {
  id: string;
  slug: string;
  name: string;
  brand: string;
  category_slug: string;
  price_from: number;
  price_to: number;
  currency: 'EUR';
  in_stock: boolean;
  image_url: string | null;
  image_alt: string | null;
  sort_key: string | number;
}

/** Number of products having one facet value, among those a listing's filters select. */
export interface FacetValueCount {
  key: string;
  value: string;
  count: number;
}

/** Total and facet counts of a listing (see {@link ProductListingRepository.summary}). */
export interface ListingSummary {
  total: number;
  facets: FacetValueCount[];
}

/** Collects bind parameters and hands out their `$n` placeholders. */
class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const TS_CONFIG = `'english'`;

/**
 * Distinct listing query shapes (SQL texts) that get a prepared statement, per repository. The
 * shapes depend only on which filters are present, never on their values, but their combinations
 * are many: past this bound a shape runs unprepared, so PostgreSQL's per-connection statement
 * memory stays bounded whatever a client sends.
 */
export const MAX_PREPARED_SHAPES = 64;

/** How long the price distribution that chooses a price-bounded page's shape is reused. */
export const PRICE_DISTRIBUTION_TTL_MS = 60_000;

/** Largest `int` price: the open end of a price range written as a closed one. */
const MAX_PRICE_SQL = 2_147_483_647;

/**
 * How a price bound is written: `plain` as it is; `walk` and `range` as the page shapes of
 * {@link PricePageShape} need it, so that one reusable plan fits each.
 */
type PriceSql = 'plain' | PricePageShape;

/**
 * How each allowed sort orders rows. This table is the only source of SQL fragments for ORDER BY
 * and keyset comparisons: a sort name from a request selects an entry, it never becomes SQL itself.
 */
const SORT_SPECS: Record<
  ProductSort,
  {
    key: (q: string) => string;
    /** Whether the key leaves as text (a timestamp or numeric keeps its exact value in a cursor). */
    asText: boolean;
    dir: 'ASC' | 'DESC';
    cast: string;
  }
> = {
  newest: { key: () => 'p.published_at', asText: true, dir: 'DESC', cast: '::timestamptz' },
  price_asc: { key: () => 'p.price_from', asText: false, dir: 'ASC', cast: '::int' },
  price_desc: { key: () => 'p.price_from', asText: false, dir: 'DESC', cast: '::int' },
  name_asc: { key: () => 'p.name', asText: false, dir: 'ASC', cast: '::text' },
  relevance: {
    key: (q) =>
      `round(ts_rank_cd(p.search_vector, websearch_to_tsquery(${TS_CONFIG}, ${q}))::numeric, 6)`,
    asText: true,
    dir: 'DESC',
    cast: '::numeric',
  },
};

/**
 * Read queries of the storefront listing: PostgreSQL full-text search, facet filters on a GIN
 * index of `facet_tokens`, keyset pagination, precomputed or single-scan facet counts. Every value is a bind parameter; identifiers and directions come
 * from {@link SORT_SPECS}.
 */
@Injectable()
export class ProductListingRepository {
  private readonly statementNames = new Map<string, string>();
  private distribution?: { loadedAt: number; value: Promise<PriceDistribution> };

  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /**
   * Runs a listing query. On PostgreSQL it is a named prepared statement on TypeORM's own pool
   * (same connections, role and timeouts): parsing and planning these queries cost as much as
   * executing them, and a prepared statement does both once per connection. Elsewhere (the
   * embedded PGlite) it goes through TypeORM as usual.
   */
  private async run<T>(sql: string, values: unknown[]): Promise<T[]> {
    const pool = (this.dataSource.driver as { master?: unknown }).master;
    if (!(pool instanceof pg.Pool)) return this.dataSource.query<T[]>(sql, values);
    let name = this.statementNames.get(sql);
    if (name === undefined && this.statementNames.size < MAX_PREPARED_SHAPES) {
      name = `catalogue_listing_${this.statementNames.size}`;
      this.statementNames.set(sql, name);
    }
    const result = await pool.query<T & pg.QueryResultRow>(
      name === undefined ? { text: sql, values } : { name, text: sql, values },
    );
    return result.rows;
  }

  /**
   * Conditions every listing query shares (status, search, category, price, stock) — everything
   * but the facet filters, which {@link facetGroups} turns into one condition per facet key.
   */
  private baseWhere(
    filter: ListingFilter,
    params: SqlParams,
    price: PriceSql = 'plain',
  ): { sql: string; qParam: string } {
    const conditions = [`p.status = 'active'`];
    let qParam = '';
    if (filter.q !== undefined) {
      qParam = params.add(filter.q);
      conditions.push(`p.search_vector @@ websearch_to_tsquery(${TS_CONFIG}, ${qParam})`);
    }
    if (filter.categorySlug !== undefined) {
      conditions.push(`p.category_id IN (${subtreeOf(params.add(filter.categorySlug))})`);
    }
    // A product matches a price range when any of its variants could: ranges overlap.
    if (filter.minPrice !== undefined) {
      const bound = params.add(filter.minPrice);
      conditions.push(
        price === 'walk'
          ? `p.price_to >= (SELECT ${bound}::int)`
          : price === 'range'
            ? `p.price_to >= ${bound} AND p.price_to <= ${MAX_PRICE_SQL}`
            : `p.price_to >= ${bound}`,
      );
    }
    if (filter.maxPrice !== undefined) {
      const bound = params.add(filter.maxPrice);
      conditions.push(
        price === 'walk'
          ? `p.price_from <= (SELECT ${bound}::int)`
          : price === 'range'
            ? `p.price_from <= ${bound} AND p.price_from >= 0`
            : `p.price_from <= ${bound}`,
      );
    }
    if (filter.inStock === true) conditions.push('p.in_stock');
    if (filter.inStock === false) conditions.push('NOT p.in_stock');
    return { sql: conditions.join(' AND '), qParam };
  }

  /** Every filter of the listing: the base conditions and each facet key's condition. */
  private where(
    filter: ListingFilter,
    params: SqlParams,
    price: PriceSql,
  ): { sql: string; qParam: string } {
    const base = this.baseWhere(filter, params, price);
    const groups = facetGroups(filter.facets).map((group) => matchSql(group, params));
    return { sql: [base.sql, ...groups].join(' AND '), qParam: base.qParam };
  }

  /**
   * The shape of a page query: a listing bounded by price (and not searched: the search condition
   * leads those plans) gets one of {@link PricePageShape}, chosen from the price-band totals.
   */
  async pageShape(filter: ListingFilter, limit: number): Promise<PriceSql> {
    if (filter.q !== undefined) return 'plain';
    if (filter.minPrice === undefined && filter.maxPrice === undefined) return 'plain';
    const distribution = await this.priceDistribution();
    return pricePageShape(distribution, filter.minPrice, filter.maxPrice, limit + 1);
  }

  /**
   * The price-band totals ({@link PriceDistribution}), read at most once per
   * {@link PRICE_DISTRIBUTION_TTL_MS} per process; concurrent requests share one read.
   */
  private priceDistribution(): Promise<PriceDistribution> {
    const now = Date.now();
    const cached = this.distribution;
    if (cached && now - cached.loadedAt < PRICE_DISTRIBUTION_TTL_MS) return cached.value;
    const value = this.loadPriceDistribution();
    this.distribution = { loadedAt: now, value };
    // A failed read is not kept: the next listing tries again.
    value.catch(() => {
      if (this.distribution?.value === value) this.distribution = undefined;
    });
    return value;
  }

  private async loadPriceDistribution(): Promise<PriceDistribution> {
    const rows = await this.dataSource.query<
      { lower: number; to_at_least: number; from_at_least: number }[]
    >(
      `SELECT b.lower,
              coalesce(sum(s.product_count) FILTER (WHERE s.side = 'to'), 0)::int AS to_at_least,
              coalesce(sum(s.product_count) FILTER (WHERE s.side = 'from'), 0)::int AS from_at_least
         FROM price_band b
         LEFT JOIN product_price_band_count s ON s.band = b.band AND s.token = ''
        GROUP BY b.band, b.lower
        ORDER BY b.lower`,
    );
    return {
      lowers: rows.map((row) => row.lower),
      toAtLeast: rows.map((row) => row.to_at_least),
      fromAtLeast: rows.map((row) => row.from_at_least),
    };
  }

  /** One page of products (fetches `limit + 1` rows so the caller knows whether more follow). */
  async page(
    filter: ListingFilter,
    sort: ProductSort,
    limit: number,
    after?: ProductCursor,
  ): Promise<ListingRow[]> {
    const shape = await this.pageShape(filter, limit);
    const params = new SqlParams();
    const { sql: where, qParam } = this.where(filter, params, shape);
    const spec = SORT_SPECS[sort];
    const key = spec.key(qParam);
    let keyset = '';
    if (after) {
      const op = spec.dir === 'ASC' ? '>' : '<';
      keyset = ` AND (${key}, p.id) ${op} (${params.add(after.value)}${spec.cast}, ${params.add(after.id)}::uuid)`;
    }
    const { dir } = spec;
    const text = spec.asText ? '::text' : '';
    const columns = `p.id, p.slug, p.name, p.brand`;
    const prices = `p.price_from, p.price_to, p.currency, p.in_stock`;
    /** The page's rows (`products`, aliased `p`) with their category slug and first image. */
    const joinedFrom = (products: string, sortKey: string) =>
      `SELECT ${columns}, c.slug AS category_slug, ${prices}, ` +
      `i.url AS image_url, i.alt AS image_alt, ${sortKey} AS sort_key ` +
      `FROM ${products} JOIN category c ON c.id = p.category_id ` +
      `LEFT JOIN product_image i ON i.product_id = p.id AND i.position = 0`;
    let sql: string;
    if (filter.q === undefined) {
      sql =
        joinedFrom('product p', `${key}${text}`) +
        ` WHERE ${where}${keyset} ORDER BY ${key} ${dir}, p.id ${dir} ` +
        // The limit is hidden from the planner (a scalar subquery): seen, it makes PostgreSQL plan
        // every execution anew (a plan for 25 rows looks cheaper than the reusable one), which
        // costs more than running the query (0.35 against 0.17 ms for an unfiltered page).
        `LIMIT (SELECT ${params.add(limit + 1)}::int)`;
    } else {
      // A search ranks every match before it can take a page, so the page is taken first and only
      // its rows are joined to their category and image (joining every match cost the database
      // ≈ 10 % more per search). It is planned per execution anyway (its terms decide the plan),
      // and knowing the limit helps that plan.
      const page =
        `(SELECT ${columns}, ${prices}, p.category_id, ${key} AS sort_value FROM product p ` +
        `WHERE ${where}${keyset} ORDER BY sort_value ${dir}, p.id ${dir} ` +
        `LIMIT ${params.add(limit + 1)}) p`;
      sql = joinedFrom(page, `p.sort_value${text}`) + ` ORDER BY p.sort_value ${dir}, p.id ${dir}`;
    }
    return this.run<ListingRow>(sql, params.values);
  }

  /**
   * The total and the facet counts of a listing. Facet counts are disjunctive: the counts of a
   * facet key apply every filter except that key's own, so choosing `colour:Red` still shows how
   * many products each other colour has. Listings filtered only by category and stock read the
   * precomputed `product_facet_count` table instead of aggregating products; those also bounded by
   * one price (`minPrice` or `maxPrice`) read `product_price_band_count` ({@link banded}).
   */
  async summary(filter: ListingFilter): Promise<ListingSummary> {
    const groups = facetGroups(filter.facets);
    const precomputable =
      filter.q === undefined && filter.minPrice === undefined && filter.maxPrice === undefined;
    if (precomputable && groups.length === 0) return this.precomputed(filter);
    if (
      filter.q === undefined &&
      groups.length === 0 &&
      (filter.minPrice === undefined) !== (filter.maxPrice === undefined)
    ) {
      return this.banded(filter);
    }
    const only = groups.length === 1 ? groups[0] : undefined;
    if (precomputable && only) {
      // The chosen key's own counts ignore its filter: they are the precomputed ones.
      const [own, rest] = await Promise.all([
        this.precomputed(filter, only.key),
        this.aggregated(filter, groups, only.key),
      ]);
      return { total: rest.total, facets: [...own.facets, ...rest.facets] };
    }
    return this.aggregated(filter, groups);
  }

  /** Summary from `product_facet_count` (category and stock filters only), optionally one key. */
  private async precomputed(filter: ListingFilter, onlyKey?: string): Promise<ListingSummary> {
    const params = new SqlParams();
    const conditions = ['s.product_count > 0'];
    if (filter.categorySlug !== undefined) {
      conditions.push(`s.category_id IN (${subtreeOf(params.add(filter.categorySlug))})`);
    }
    if (filter.inStock !== undefined) conditions.push(`s.in_stock = ${params.add(filter.inStock)}`);
    if (onlyKey !== undefined)
      conditions.push(`starts_with(s.token, ${params.add(`${onlyKey}:`)})`);
    const sql =
      `SELECT s.token, sum(s.product_count)::int AS count FROM product_facet_count s ` +
      `WHERE ${conditions.join(' AND ')} GROUP BY s.token`;
    return summaryOf(await this.run<TokenCount>(sql, params.values));
  }

  /**
   * Summary of a listing bounded by one price (and optionally a category and stock), from
   * `product_price_band_count`, whose rows count the products priced at or above a band's lower
   * bound on one side (`to`: `price_to`, `from`: `price_from`). With *k* the first band whose
   * lower bound is above the bound:
   *
   * - `minPrice` X: the `to` rows of band *k*, plus the products with `X <= price_to <` that band's
   *   bound (aggregated here: a few dozen at most, bands are 5–100 € wide where products are).
   * - `maxPrice` Y: the `from` rows of band 0 (every product), minus those of band *k*, minus the
   *   products with `Y < price_from <` that band's bound.
   *
   * The band and its bound are scalar subqueries, so the products near the bound are found by an
   * index range scan.
   */
  private async banded(filter: ListingFilter): Promise<ListingSummary> {
    const params = new SqlParams();
    const isMin = filter.minPrice !== undefined;
    const bound = params.add(isMin ? filter.minPrice : filter.maxPrice);
    const column = isMin ? 'p.price_to' : 'p.price_from';
    const above = `(SELECT min(band) FROM price_band WHERE lower > ${bound})`;
    const aboveLower = `coalesce((SELECT min(lower) FROM price_band WHERE lower > ${bound}), ${MAX_PRICE_SQL})`;
    const rows = [`s.side = '${isMin ? 'to' : 'from'}'`, 's.product_count > 0'];
    const near = [
      `p.status = 'active'`,
      `${column} ${isMin ? '>=' : '>'} ${bound}`,
      `${column} < ${aboveLower}`,
    ];
    if (filter.categorySlug !== undefined) {
      const slug = params.add(filter.categorySlug);
      rows.push(`s.category_id IN (${subtreeOf(slug)})`);
      near.push(`p.category_id IN (${subtreeOf(slug)})`);
    }
    if (filter.inStock !== undefined) {
      rows.push(`s.in_stock = ${params.add(filter.inStock)}`);
      near.push(filter.inStock ? 'p.in_stock' : 'NOT p.in_stock');
    }
    const where = rows.join(' AND ');
    const band = (n: string, sign: string) =>
      `SELECT s.token, ${sign}s.product_count AS n FROM product_price_band_count s ` +
      `WHERE ${where} AND s.band = ${n}`;
    const parts = isMin ? [band(above, '')] : [band('0', ''), band(above, '-')];
    parts.push(
      `SELECT t.token, ${isMin ? '1' : '-1'} AS n FROM product p ` +
        `CROSS JOIN LATERAL unnest(p.facet_tokens || ''::text) AS t(token) ` +
        `WHERE ${near.join(' AND ')}`,
    );
    const sql =
      `SELECT x.token, sum(x.n)::int AS count FROM (${parts.join(' UNION ALL ')}) AS x ` +
      `GROUP BY x.token HAVING sum(x.n) > 0`;
    return summaryOf(await this.run<TokenCount>(sql, params.values));
  }

  /**
   * Summary aggregated over the matching products in one scan. Each product carries a flag per
   * facet key (does it match that key's filter?); a token `k:v` is counted when the product
   * matches every key but `k`, and the total counts products matching every key. `skipKey` leaves
   * out a key whose counts come from elsewhere, so its filter can narrow the scan.
   */
  private async aggregated(
    filter: ListingFilter,
    groups: FacetGroup[],
    skipKey?: string,
  ): Promise<ListingSummary> {
    const params = new SqlParams();
    const conditions = [this.baseWhere(filter, params).sql];
    const flags: { name: string; match: string; prefix: string }[] = [];
    for (const [i, group] of groups.entries()) {
      const match = matchSql(group, params);
      if (group.key === skipKey) conditions.push(match);
      else flags.push({ name: `g${i}`, match, prefix: params.add(`${group.key}:`) });
    }
    // Only products that miss at most one key's filter contribute any count.
    if (flags.length > 1) {
      conditions.push(
        `(${flags.map((f) => `(${f.match})::int`).join(' + ')}) >= ${flags.length - 1}`,
      );
    }
    const columns = ['p.facet_tokens AS tokens', ...flags.map((f) => `${f.match} AS ${f.name}`)];
    const all = flags.map((f) => `m.${f.name}`);
    const tokenConditions = flags.map((f) => `(m.${f.name} OR starts_with(t.token, ${f.prefix}))`);
    if (skipKey !== undefined)
      tokenConditions.push(`NOT starts_with(t.token, ${params.add(`${skipKey}:`)})`);
    const sql =
      `WITH m AS MATERIALIZED (SELECT ${columns.join(', ')} FROM product p ` +
      `WHERE ${conditions.join(' AND ')}) ` +
      `SELECT '' AS token, count(*)::int AS count FROM m` +
      (all.length > 0 ? ` WHERE ${all.join(' AND ')}` : '') +
      ` UNION ALL SELECT t.token, count(*)::int AS count ` +
      `FROM m CROSS JOIN LATERAL unnest(m.tokens) AS t(token)` +
      (tokenConditions.length > 0 ? ` WHERE ${tokenConditions.join(' AND ')}` : '') +
      ` GROUP BY t.token`;
    return summaryOf(await this.run<TokenCount>(sql, params.values));
  }
}

/** A facet key and the values chosen for it (ORed). */
interface FacetGroup {
  key: string;
  values: string[];
}

/** A row of a summary query: a `key:value` token, or `''` for the number of products. */
interface TokenCount {
  token: string;
  count: number;
}

/** The facet filters grouped by key, keys in first-seen order. */
function facetGroups(facets: ListingFilter['facets']): FacetGroup[] {
  const byKey = new Map<string, string[]>();
  for (const { key, value } of facets) byKey.set(key, [...(byKey.get(key) ?? []), value]);
  return [...byKey].map(([key, values]) => ({ key, values }));
}

/** A product matches a facet key's filter when it has any of the chosen values. */
function matchSql(group: FacetGroup, params: SqlParams): string {
  return `p.facet_tokens && ${params.add(group.values.map((value) => `${group.key}:${value}`))}::text[]`;
}

/** Ids of the category with slug `slugParam` and of every category below it. */
function subtreeOf(slugParam: string): string {
  return `SELECT d.id FROM category c JOIN category d ON starts_with(d.path, c.path) WHERE c.slug = ${slugParam}`;
}

/** Splits summary rows into the total and `key:value` counts (keys never contain `:`). */
function summaryOf(rows: TokenCount[]): ListingSummary {
  let total = 0;
  const facets: FacetValueCount[] = [];
  for (const { token, count } of rows) {
    if (token === '') {
      total = count;
      continue;
    }
    const at = token.indexOf(':');
    facets.push({ key: token.slice(0, at), value: token.slice(at + 1), count });
  }
  return { total, facets };
}
