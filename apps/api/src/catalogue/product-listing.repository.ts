import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ProductSort } from '@storefront/contracts';
import type { ProductCursor } from './product-cursor';

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
 * How each allowed sort orders rows. This table is the only source of SQL fragments for ORDER BY
 * and keyset comparisons: a sort name from a request selects an entry, it never becomes SQL itself.
 */
const SORT_SPECS: Record<
  ProductSort,
  { key: (q: string) => string; out: (q: string) => string; dir: 'ASC' | 'DESC'; cast: string }
> = {
  newest: {
    key: () => 'p.published_at',
    out: () => 'p.published_at::text',
    dir: 'DESC',
    cast: '::timestamptz',
  },
  price_asc: { key: () => 'p.price_from', out: () => 'p.price_from', dir: 'ASC', cast: '::int' },
  price_desc: { key: () => 'p.price_from', out: () => 'p.price_from', dir: 'DESC', cast: '::int' },
  name_asc: { key: () => 'p.name', out: () => 'p.name', dir: 'ASC', cast: '::text' },
  relevance: {
    key: (q) =>
      `round(ts_rank_cd(p.search_vector, websearch_to_tsquery(${TS_CONFIG}, ${q}))::numeric, 6)`,
    out: (q) =>
      `round(ts_rank_cd(p.search_vector, websearch_to_tsquery(${TS_CONFIG}, ${q}))::numeric, 6)::text`,
    dir: 'DESC',
    cast: '::numeric',
  },
};

/**
 * Read queries of the storefront listing: PostgreSQL full-text search, facet filters on a jsonb
 * GIN index, keyset pagination. Every value is a bind parameter; identifiers and directions come
 * from {@link SORT_SPECS}.
 */
@Injectable()
export class ProductListingRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  private where(filter: ListingFilter, params: SqlParams): { sql: string; qParam: string } {
    const conditions = [`p.status = 'active'`];
    let qParam = '';
    if (filter.q !== undefined) {
      qParam = params.add(filter.q);
      conditions.push(`p.search_vector @@ websearch_to_tsquery(${TS_CONFIG}, ${qParam})`);
    }
    if (filter.categorySlug !== undefined) {
      conditions.push(
        `p.category_id IN (SELECT d.id FROM category c JOIN category d ON starts_with(d.path, c.path) WHERE c.slug = ${params.add(filter.categorySlug)})`,
      );
    }
    const byKey = new Map<string, string[]>();
    for (const { key, value } of filter.facets) byKey.set(key, [...(byKey.get(key) ?? []), value]);
    for (const [key, values] of byKey) {
      const alternatives = values.map(
        (value) => `p.facets @> ${params.add(JSON.stringify({ [key]: [value] }))}::jsonb`,
      );
      conditions.push(`(${alternatives.join(' OR ')})`);
    }
    // A product matches a price range when any of its variants could: ranges overlap.
    if (filter.minPrice !== undefined)
      conditions.push(`p.price_to >= ${params.add(filter.minPrice)}`);
    if (filter.maxPrice !== undefined)
      conditions.push(`p.price_from <= ${params.add(filter.maxPrice)}`);
    if (filter.inStock === true) conditions.push('p.in_stock');
    if (filter.inStock === false) conditions.push('NOT p.in_stock');
    return { sql: conditions.join(' AND '), qParam };
  }

  /** One page of products (fetches `limit + 1` rows so the caller knows whether more follow). */
  async page(
    filter: ListingFilter,
    sort: ProductSort,
    limit: number,
    after?: ProductCursor,
  ): Promise<ListingRow[]> {
    const params = new SqlParams();
    const { sql: where, qParam } = this.where(filter, params);
    const spec = SORT_SPECS[sort];
    const key = spec.key(qParam);
    let keyset = '';
    if (after) {
      const op = spec.dir === 'ASC' ? '>' : '<';
      keyset = ` AND (${key}, p.id) ${op} (${params.add(after.value)}${spec.cast}, ${params.add(after.id)}::uuid)`;
    }
    const sql =
      `SELECT p.id, p.slug, p.name, p.brand, c.slug AS category_slug, p.price_from, p.price_to, p.currency, ` +
      `p.in_stock, i.url AS image_url, i.alt AS image_alt, ${spec.out(qParam)} AS sort_key ` +
      `FROM product p JOIN category c ON c.id = p.category_id ` +
      `LEFT JOIN product_image i ON i.product_id = p.id AND i.position = 0 ` +
      `WHERE ${where}${keyset} ORDER BY ${key} ${spec.dir}, p.id ${spec.dir} LIMIT ${params.add(limit + 1)}`;
    return this.dataSource.query<ListingRow[]>(sql, params.values);
  }

  /** Number of products matching the filters. */
  async count(filter: ListingFilter): Promise<number> {
    const params = new SqlParams();
    const { sql: where } = this.where(filter, params);
    const sql = `SELECT count(*)::int AS total FROM product p WHERE ${where}`;
    const rows = await this.dataSource.query<{ total: number }[]>(sql, params.values);
    return rows[0]?.total ?? 0;
  }

  /** Facet value counts over the products matching the filters. */
  async facetCounts(
    filter: ListingFilter,
  ): Promise<{ key: string; value: string; count: number }[]> {
    const params = new SqlParams();
    const { sql: where } = this.where(filter, params);
    const sql =
      `SELECT f.key, v.value, count(*)::int AS count ` +
      `FROM product p CROSS JOIN LATERAL jsonb_each(p.facets) AS f(key, vals) ` +
      `CROSS JOIN LATERAL jsonb_array_elements_text(f.vals) AS v(value) ` +
      `WHERE ${where} GROUP BY f.key, v.value ORDER BY f.key, count DESC, v.value`;
    return this.dataSource.query(sql, params.values);
  }
}
