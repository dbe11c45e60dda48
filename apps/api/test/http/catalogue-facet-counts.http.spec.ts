import fc from 'fast-check';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DataSource } from 'typeorm';
import { ProductListSchema, type ProductList } from '@storefront/contracts';
import { Product } from '../../src/catalogue/entities';
import { loadConfig } from '../../src/config/app-config';
import { PublicResponseCache } from '../../src/core/http/public-response-cache.service';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { ProductListingRepository } from '../../src/catalogue/product-listing.repository';
import { seedCatalogue } from '../../src/seed/seed-catalogue';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Listing totals and facet counts against an independent oracle computed in TypeScript from the
 * products' own columns — before and after catalogue changes, so the precomputed
 * `product_facet_count` rows and the single-scan aggregation are both checked — and the pages of
 * price-bounded listings against a plain query. These tests write
 * the catalogue, so they run on a database of their own (seeded like the run's database, with the
 * runtime role), and never disturb the other test files.
 */

interface ProductRow {
  id: string;
  status: string;
  in_stock: boolean;
  price_from: number;
  price_to: number;
  facets: Record<string, string[] | string>;
  path: string;
}

interface ListingQuery {
  q?: string;
  category?: string;
  facet?: string[];
  minPrice?: number;
  maxPrice?: number;
  inStock?: boolean;
}

const MAX_FACET_VALUES = 50;

let t: TestApp;
let adminUrl: string;
let database: string;
let owner: DataSource;
const http = () => request(t.app.getHttpServer());
const app = () => t.app.get(DataSource);

/* eslint-disable no-restricted-syntax -- DDL needs identifiers: the database and role names come
   from the run's own generated names, never from input. */
beforeAll(async () => {
  const env = inject('testEnv');
  const ownerUrl = new URL(env.ownerDatabaseUrl);
  database = `${ownerUrl.pathname.slice(1)}_counts`;
  const admin = new URL(ownerUrl);
  admin.pathname = '/postgres';
  adminUrl = admin.toString();
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`CREATE DATABASE ${database}`);
  await client.end();

  ownerUrl.pathname = `/${database}`;
  owner = await new DataSource(
    dataSourceOptions(
      loadConfig({ NODE_ENV: 'test', DATABASE_URL: ownerUrl.toString() }),
      'migrate',
    ),
  ).initialize();
  await owner.runMigrations({ transaction: 'each' });
  await seedCatalogue(owner, { productCount: 150 });
  const runtimeUrl = new URL(env.databaseUrl);
  const role = runtimeUrl.username;
  await owner.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
  await owner.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
  await owner.query(
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`,
  );
  await owner.query(`REVOKE ALL ON schema_migrations FROM ${role}`);
  runtimeUrl.pathname = `/${database}`;
  t = await startTestApp({
    env: { DATABASE_URL: runtimeUrl.toString(), RATE_LIMIT_DEFAULT: '100000/60' },
  });
});

afterAll(async () => {
  await t.close();
  await owner.destroy();
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await client.end();
});
/* eslint-enable no-restricted-syntax */

function queryString(query: ListingQuery): string {
  const params = new URLSearchParams({ limit: '1' });
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
  }
  return params.toString();
}

async function listPage(query: URLSearchParams): Promise<ProductList> {
  const response = await http().get(`/api/products?${query.toString()}`).expect(200);
  return ProductListSchema.parse(response.body);
}

async function listing(query: ListingQuery): Promise<ProductList> {
  const response = await http()
    .get(`/api/products?${queryString(query)}`)
    .expect(200);
  return ProductListSchema.parse(response.body);
}

/** Total and facet counts of a listing, computed from the products' rows (the oracle). */
async function expected(
  query: ListingQuery,
): Promise<{ total: number; counts: Map<string, Map<string, number>> }> {
  const rows = await app().query<ProductRow[]>(
    `SELECT p.id, p.status, p.in_stock, p.price_from, p.price_to, p.facets, c.path
       FROM product p JOIN category c ON c.id = p.category_id`,
  );
  const [category] =
    query.category === undefined
      ? [undefined]
      : await app().query<{ path: string }[]>(`SELECT path FROM category WHERE slug = $1`, [
          query.category,
        ]);
  const searched =
    query.q === undefined
      ? undefined
      : new Set(
          (
            await app().query<{ id: string }[]>(
              `SELECT id FROM product WHERE search_vector @@ websearch_to_tsquery('english', $1)`,
              [query.q],
            )
          ).map((row) => row.id),
        );
  const groups = new Map<string, string[]>();
  for (const raw of query.facet ?? []) {
    const at = raw.indexOf(':');
    groups.set(raw.slice(0, at), [...(groups.get(raw.slice(0, at)) ?? []), raw.slice(at + 1)]);
  }
  const valuesOf = (row: ProductRow, key: string): Set<string> => {
    const values = row.facets[key];
    return new Set(values === undefined ? [] : Array.isArray(values) ? values : [values]);
  };
  const matches = (row: ProductRow, key: string) =>
    (groups.get(key) ?? []).some((value) => valuesOf(row, key).has(value));
  const base = rows.filter(
    (row) =>
      row.status === 'active' &&
      (query.category === undefined || row.path.startsWith(category?.path ?? '-')) &&
      (query.minPrice === undefined || row.price_to >= query.minPrice) &&
      (query.maxPrice === undefined || row.price_from <= query.maxPrice) &&
      (query.inStock === undefined || row.in_stock === query.inStock) &&
      (searched === undefined || searched.has(row.id)),
  );
  const total = base.filter((row) => [...groups.keys()].every((key) => matches(row, key))).length;
  const counts = new Map<string, Map<string, number>>();
  for (const row of base) {
    for (const key of Object.keys(row.facets)) {
      // Disjunctive: a key's counts apply every facet filter but its own.
      if (![...groups.keys()].every((other) => other === key || matches(row, other))) continue;
      for (const value of valuesOf(row, key)) {
        const values = counts.get(key) ?? new Map<string, number>();
        values.set(value, (values.get(value) ?? 0) + 1);
        counts.set(key, values);
      }
    }
  }
  return { total, counts };
}

async function expectCountsMatch(query: ListingQuery): Promise<void> {
  const [page, truth] = await Promise.all([listing(query), expected(query)]);
  const label = queryString(query);
  expect(page.total, label).toBe(truth.total);
  expect(page.facets.map((f) => f.key).sort(), label).toEqual([...truth.counts.keys()].sort());
  for (const facet of page.facets) {
    const values = truth.counts.get(facet.key) ?? new Map<string, number>();
    expect(facet.values.length, `${label} ${facet.key}`).toBe(
      Math.min(values.size, MAX_FACET_VALUES),
    );
    const shown = facet.values.map((v) => v.count);
    expect(shown, `${label} ${facet.key} most frequent first`).toEqual(
      [...shown].sort((a, b) => b - a),
    );
    for (const { value, count } of facet.values) {
      expect(count, `${label} ${facet.key}:${value}`).toBe(values.get(value));
    }
  }
}

/** Every `product_facet_count` and `product_price_band_count` row equals a recount. */
async function expectSummaryConsistent(): Promise<void> {
  const bandDrift = await app().query<{ side: string; band: number; token: string }[]>(
    `WITH truth AS (
       SELECT 'to' AS side, b.band, p.category_id, p.in_stock, t.token, count(*)::int AS n
         FROM product p JOIN price_band b ON b.lower <= p.price_to
         CROSS JOIN LATERAL unnest(p.facet_tokens || ''::text) AS t(token)
        WHERE p.status = 'active' GROUP BY 1, 2, 3, 4, 5
       UNION ALL
       SELECT 'from', b.band, p.category_id, p.in_stock, t.token, count(*)::int
         FROM product p JOIN price_band b ON b.lower <= p.price_from
         CROSS JOIN LATERAL unnest(p.facet_tokens || ''::text) AS t(token)
        WHERE p.status = 'active' GROUP BY 1, 2, 3, 4, 5)
     SELECT side, band, token FROM truth
       FULL JOIN product_price_band_count s USING (side, band, category_id, in_stock, token)
      WHERE coalesce(truth.n, 0) <> coalesce(s.product_count, 0)`,
  );
  expect(bandDrift).toEqual([]);
  const drift = await app().query<{ category_id: string; token: string }[]>(
    `WITH truth AS (
       SELECT p.category_id, p.in_stock, t.token, count(*)::int AS n
         FROM product p CROSS JOIN LATERAL unnest(p.facet_tokens || ''::text) AS t(token)
        WHERE p.status = 'active' GROUP BY 1, 2, 3)
     SELECT category_id, token FROM truth
       FULL JOIN product_facet_count s USING (category_id, in_stock, token)
      WHERE coalesce(truth.n, 0) <> coalesce(s.product_count, 0)`,
  );
  expect(drift).toEqual([]);
}

/** Listings that exercise every path: precomputed, one chosen key, aggregated. */
async function representativeQueries(): Promise<ListingQuery[]> {
  const top = async (key: string, n: number): Promise<string[]> =>
    (
      await app().query<{ value: string }[]>(
        `SELECT v.value, count(*) AS n FROM product p
           CROSS JOIN LATERAL jsonb_array_elements_text(p.facets -> $1) AS v(value)
          WHERE p.status = 'active' GROUP BY v.value ORDER BY n DESC, v.value LIMIT $2`,
        [key, n],
      )
    ).map((row) => row.value);
  const [colour1, colour2] = await top('colour', 2);
  const [size] = await top('size', 1);
  const [brand] = await top('brand', 1);
  return [
    {},
    { category: 'women' },
    { category: 'women-knitwear', inStock: true },
    { inStock: false },
    { facet: [`colour:${colour1}`] },
    { category: 'women', facet: [`colour:${colour1}`, `colour:${colour2}`] },
    { facet: [`colour:${colour1}`, `size:${size}`] },
    { facet: [`colour:${colour1}`, `size:${size}`, `brand:${brand}`] },
    { minPrice: 2_000, maxPrice: 6_000, facet: [`size:${size}`] },
    { q: 'cotton', facet: [`colour:${colour2}`] },
    { category: 'women', inStock: true, facet: [`size:${size}`, `colour:${colour1}`] },
    // One price bound: the price-band summary, on and around band bounds, beyond the last band.
    { minPrice: 0 },
    { minPrice: 2_499 },
    { minPrice: 2_500 },
    { minPrice: 4_321 },
    { minPrice: 2_000_000 },
    { maxPrice: 0 },
    { maxPrice: 4_999 },
    { maxPrice: 5_000 },
    { maxPrice: 2_000_000 },
    { category: 'women', minPrice: 3_000 },
    { category: 'women-knitwear', inStock: true, maxPrice: 8_000 },
    { inStock: false, minPrice: 1_500 },
  ].map((query) => JSON.parse(JSON.stringify(query)) as ListingQuery);
}

async function expectEverythingConsistent(): Promise<void> {
  await expectSummaryConsistent();
  for (const query of await representativeQueries()) await expectCountsMatch(query);
}

/** Waits until the write's cache invalidation has landed (the version moved on). */
async function cacheInvalidatedSince(before: number | null): Promise<void> {
  const cache = t.app.get(PublicResponseCache);
  for (let i = 0; i < 200; i++) {
    const now = cache.currentVersion();
    if (now !== null && now !== before) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('the catalogue cache was not invalidated');
}

async function write(change: () => Promise<unknown>): Promise<void> {
  const before = t.app.get(PublicResponseCache).currentVersion();
  await change();
  await cacheInvalidatedSince(before);
}

const products = () => app().getRepository(Product);

describe('precomputed facet counts', () => {
  it('match the products, on every listing path', async () => {
    await expectEverythingConsistent();
  });

  it('match the products for any one price bound, category and stock filter (property)', async () => {
    const categories = (
      await app().query<{ slug: string }[]>(`SELECT slug FROM category ORDER BY slug`)
    ).map((row) => row.slug);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('minPrice', 'maxPrice'),
        fc.oneof(fc.integer({ min: 0, max: 60_000 }), fc.integer({ min: 0, max: 1_200_000 })),
        fc.option(fc.constantFrom(...categories), { nil: undefined }),
        fc.option(fc.boolean(), { nil: undefined }),
        async (side, bound, category, inStock) => {
          const query: ListingQuery = { [side]: bound };
          if (category !== undefined) query.category = category;
          if (inStock !== undefined) query.inStock = inStock;
          await expectCountsMatch(query);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('stay exact when a product is added', async () => {
    const [leaf] = await app().query<{ id: string }[]>(
      `SELECT id FROM category WHERE slug = 'women-knitwear'`,
    );
    await write(() =>
      products().save({
        categoryId: leaf!.id,
        slug: 'ultraviolet-test-jumper',
        name: 'Ultraviolet Test Jumper',
        brand: 'Testbrand',
        description: 'A jumper that exists only in this test.',
        status: 'active',
        attributes: {},
        facets: { brand: ['Testbrand'], colour: ['Ultraviolet', 'Navy'], size: ['M'] },
        priceFrom: 4_500,
        priceTo: 5_500,
        currency: 'EUR',
        inStock: true,
        publishedAt: new Date(),
      }),
    );
    const page = await listing({ category: 'women-knitwear' });
    const colour = page.facets.find((f) => f.key === 'colour');
    expect(colour?.values.find((v) => v.value === 'Ultraviolet')?.count).toBe(1);
    await expectEverythingConsistent();
  });

  it('stay exact when a product is deactivated, reactivated or goes out of stock', async () => {
    const target = await products().findOneByOrFail({ slug: 'ultraviolet-test-jumper' });
    await write(() => products().update({ id: target.id }, { status: 'draft' }));
    const page = await listing({ category: 'women-knitwear' });
    expect(page.facets.find((f) => f.key === 'brand')?.values.map((v) => v.value)).not.toContain(
      'Testbrand',
    );
    await expectEverythingConsistent();
    await write(() => products().update({ id: target.id }, { status: 'active', inStock: false }));
    expect((await listing({ category: 'women-knitwear', inStock: false })).total).toBeGreaterThan(
      0,
    );
    await expectEverythingConsistent();
  });

  it('stay exact when prices, facets and the category change', async () => {
    const target = await products().findOneByOrFail({ slug: 'ultraviolet-test-jumper' });
    await write(() => products().update({ id: target.id }, { priceFrom: 100, priceTo: 150 }));
    await expectCountsMatch({ maxPrice: 200 });
    await expectCountsMatch({ minPrice: 120, facet: ['brand:Testbrand'] });
    const [shoes] = await app().query<{ id: string }[]>(
      `SELECT id FROM category WHERE slug = 'shoes'`,
    );
    await write(() =>
      products().update(
        { id: target.id },
        { categoryId: shoes!.id, facets: { brand: ['Testbrand'], colour: ['Infrared'] } },
      ),
    );
    expect((await listing({ category: 'shoes', facet: ['colour:Infrared'] })).total).toBe(1);
    await expectEverythingConsistent();
  });

  it('stay exact when a product is deleted', async () => {
    const target = await products().findOneByOrFail({ slug: 'ultraviolet-test-jumper' });
    await write(() => products().delete({ id: target.id }));
    expect((await listing({ facet: ['colour:Infrared'] })).total).toBe(0);
    await expectEverythingConsistent();
  });

  it('stay exact under raw SQL and concurrent writers, which bypass TypeORM', async () => {
    const db = app();
    await db.query(
      `UPDATE product SET in_stock = NOT in_stock
        WHERE id IN (SELECT id FROM product ORDER BY slug LIMIT 20)`,
    );
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        db.transaction(async (tx) => {
          const [category] = await tx.query<{ id: string }[]>(
            `SELECT id FROM category WHERE slug = 'women-dresses'`,
          );
          await tx.query(
            `INSERT INTO product (category_id, slug, name, facets, price_from, price_to, in_stock)
             VALUES ($1, $2, $3, $4, 1000, 2000, true)`,
            [
              category!.id,
              `concurrent-test-${i}`,
              `Concurrent ${i}`,
              JSON.stringify({ colour: ['Concurrent'], size: [`S${i % 2}`] }),
            ],
          );
        }),
      ),
    );
    await expectSummaryConsistent();
    await db.query(`DELETE FROM product WHERE slug LIKE 'concurrent-test-%'`);
    await db.query(
      `UPDATE product SET in_stock = NOT in_stock
        WHERE id IN (SELECT id FROM product ORDER BY slug LIMIT 20)`,
    );
    await expectSummaryConsistent();
  });

  it('feed the category tree counts', async () => {
    const tree = (await http().get('/api/categories').expect(200)).body as {
      items: { slug: string; productCount: number }[];
    };
    const [women] = await app().query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM product p JOIN category c ON c.id = p.category_id
        WHERE p.status = 'active' AND c.path LIKE '/women/%'`,
    );
    expect(tree.items.find((c) => c.slug === 'women')?.productCount).toBe(women!.n);
  });
});

describe('price-bounded listing pages', () => {
  it('list exactly the matching products, in every sort and whichever page shape is chosen', async () => {
    const db = app();
    const repository = t.app.get(ProductListingRepository);
    const priceTo = (
      await db.query<{ price: number }[]>(
        `SELECT price_to AS price FROM product WHERE status = 'active' ORDER BY price_to DESC`,
      )
    ).map((row) => row.price);
    const priceFrom = (
      await db.query<{ price: number }[]>(
        `SELECT price_from AS price FROM product WHERE status = 'active' ORDER BY price_from`,
      )
    ).map((row) => row.price);
    // Bounds keeping a handful of products (read through the price index), about half of them
    // and nearly all (read by walking the sort's index).
    const bounds: { minPrice?: number; maxPrice?: number }[] = [
      { minPrice: priceTo[6]! },
      { minPrice: priceTo[Math.floor(priceTo.length / 2)]! },
      { minPrice: priceTo.at(-3)! },
      { maxPrice: priceFrom[6]! },
      { maxPrice: priceFrom[Math.floor(priceFrom.length / 2)]! },
      {
        minPrice: Math.min(priceTo[40]!, priceFrom[40]!),
        maxPrice: Math.max(priceTo[40]!, priceFrom[40]!),
      },
    ];
    const orderBy = {
      newest: 'published_at DESC, id DESC',
      price_asc: 'price_from ASC, id ASC',
      price_desc: 'price_from DESC, id DESC',
      name_asc: 'name ASC, id ASC',
    };
    const limit = 10;
    const shapes = new Set<string>();
    for (const bound of bounds) {
      shapes.add(await repository.pageShape({ facets: [], ...bound }, limit));
      for (const [sort, order] of Object.entries(orderBy)) {
        for (const inStock of [undefined, true]) {
          // The oracle: the same filter as a plain query, no shape, no keyset, no limit.
          const expectedIds = (
            await db.query<{ id: string }[]>(
              // eslint-disable-next-line no-restricted-syntax -- ORDER BY from the table above
              `SELECT id FROM product WHERE status = 'active' AND price_to >= $1 AND price_from <= $2 AND ($3::boolean IS NULL OR in_stock = $3) ORDER BY ${order}`,
              [bound.minPrice ?? 0, bound.maxPrice ?? 2_147_483_647, inStock ?? null],
            )
          ).map((row) => row.id);
          const ids: string[] = [];
          let cursor: string | null = null;
          do {
            const query = new URLSearchParams({ sort, limit: String(limit) });
            for (const [name, value] of Object.entries(bound)) query.set(name, String(value));
            if (inStock !== undefined) query.set('inStock', String(inStock));
            if (cursor !== null) query.set('cursor', cursor);
            const page: ProductList = await listPage(query);
            expect(page.total).toBe(expectedIds.length);
            ids.push(...page.items.map((item) => item.id));
            cursor = page.nextCursor;
          } while (cursor !== null && ids.length <= expectedIds.length);
          expect({ bound, sort, inStock, ids }).toEqual({ bound, sort, inStock, ids: expectedIds });
        }
      }
    }
    expect([...shapes].sort()).toEqual(['range', 'walk']);
  });
});
