import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import {
  CategoryTreeSchema,
  ProductDetailSchema,
  ProductListSchema,
  type ProductList,
} from '@storefront/contracts';
import { Product } from '../../src/catalogue/entities';
import {
  MAX_PREPARED_SHAPES,
  ProductListingRepository,
} from '../../src/catalogue/product-listing.repository';
import { TEST_PRODUCT_COUNT } from '../support/global-setup';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
const http = () => request(t.app.getHttpServer());

async function list(query: string): Promise<ProductList> {
  const response = await http().get(`/api/products?${query}`).expect(200);
  return ProductListSchema.parse(response.body);
}

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('GET /api/products', () => {
  it('lists active products newest first, in the contract shape, without creating a session', async () => {
    const response = await http().get('/api/products').expect(200);
    expect(response.headers['set-cookie']).toBeUndefined();
    const page = ProductListSchema.parse(response.body);
    expect(page.sort).toBe('newest');
    expect(page.items).toHaveLength(24);
    expect(page.total).toBe(TEST_PRODUCT_COUNT);
  });

  it('walks every page with the cursor, each product exactly once', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: ProductList = await list(
        `sort=price_asc&limit=50${cursor ? `&cursor=${cursor}` : ''}`,
      );
      const prices = page.items.map((p) => p.priceFrom.amount);
      expect(prices).toEqual([...prices].sort((a, b) => a - b));
      for (const item of page.items) {
        expect(seen.has(item.id)).toBe(false);
        seen.add(item.id);
      }
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 20);
    expect(seen.size).toBe(TEST_PRODUCT_COUNT);
  });

  it('paginates the newest and name orders without gaps either', async () => {
    for (const sort of ['newest', 'name_asc', 'price_desc']) {
      const ids = new Set<string>();
      let cursor: string | null = null;
      do {
        const page: ProductList = await list(
          `sort=${sort}&limit=100${cursor ? `&cursor=${cursor}` : ''}`,
        );
        page.items.forEach((p) => ids.add(p.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(ids.size).toBe(TEST_PRODUCT_COUNT);
    }
  });

  it('searches with full-text ranking', async () => {
    const page = await list('q=merino%20jumper');
    expect(page.sort).toBe('relevance');
    expect(page.total).toBeGreaterThan(0);
    for (const item of page.items) expect(item.name.toLowerCase()).toMatch(/merino|jumper/);
    // The best matches carry both words.
    expect(page.items[0]?.name.toLowerCase()).toMatch(/merino.*jumper|jumper.*merino/);
  });

  it('paginates search results by relevance', async () => {
    const ids = new Set<string>();
    let cursor: string | null = null;
    const first = await list('q=cotton&limit=5');
    let page: ProductList = first;
    for (;;) {
      page.items.forEach((p) => ids.add(p.id));
      cursor = page.nextCursor;
      if (cursor === null) break;
      page = await list(`q=cotton&limit=5&cursor=${cursor}`);
    }
    expect(ids.size).toBe(first.total);
  });

  it('sorts and paginates search results by another order when asked', async () => {
    const seen: { id: string; price: number }[] = [];
    const first = await list('q=cotton&sort=price_asc&limit=7');
    expect(first.sort).toBe('price_asc');
    let page: ProductList = first;
    for (;;) {
      seen.push(...page.items.map(({ id, priceFrom }) => ({ id, price: priceFrom.amount })));
      if (page.nextCursor === null) break;
      page = await list(`q=cotton&sort=price_asc&limit=7&cursor=${page.nextCursor}`);
    }
    expect(new Set(seen.map((p) => p.id)).size).toBe(first.total);
    const prices = seen.map((p) => p.price);
    expect(prices.length).toBeGreaterThan(7);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
  });

  it('filters by category, including sub-categories', async () => {
    const leaf = await list('category=women-knitwear&limit=100');
    expect(leaf.total).toBeGreaterThan(0);
    expect(leaf.items.every((p) => p.categorySlug === 'women-knitwear')).toBe(true);
    const department = await list('category=women&limit=100');
    expect(department.total).toBeGreaterThan(leaf.total);
    expect(department.items.every((p) => p.categorySlug.startsWith('women-'))).toBe(true);
  });

  it('filters by facets (OR within a key, AND across keys) and counts facet values', async () => {
    const navy = await list('facet=colour:Navy&limit=100');
    const navyOrBlack = await list('facet=colour:Navy&facet=colour:Black&limit=100');
    const navyM = await list('facet=colour:Navy&facet=size:M&limit=100');
    expect(navy.total).toBeGreaterThan(0);
    expect(navyOrBlack.total).toBeGreaterThan(navy.total);
    expect(navyM.total).toBeLessThanOrEqual(navy.total);
    const colour = navy.facets.find((f) => f.key === 'colour');
    expect(colour?.values.find((v) => v.value === 'Navy')?.count).toBe(navy.total);
  });

  it('counts facets disjunctively: each key ignores only its own filter', async () => {
    const all = await list('limit=1');
    const navy = await list('facet=colour:Navy&limit=1');
    const countOf = (page: ProductList, key: string, value: string) =>
      page.facets.find((f) => f.key === key)?.values.find((v) => v.value === value)?.count;
    // Choosing Navy still shows every colour, with the counts of the unfiltered listing…
    expect(navy.facets.find((f) => f.key === 'colour')).toEqual(
      all.facets.find((f) => f.key === 'colour'),
    );
    expect(navy.facets.find((f) => f.key === 'colour')?.values.length).toBeGreaterThan(1);
    // …so the count next to Black is what choosing Black instead would give,
    expect(countOf(navy, 'colour', 'Black')).toBe((await list('facet=colour:Black&limit=1')).total);
    // while the other keys are narrowed by the colour: size M shows Navy-and-M products.
    const navyM = await list('facet=colour:Navy&facet=size:M&limit=1');
    expect(countOf(navy, 'size', 'M')).toBe(navyM.total);
    expect(countOf(navy, 'size', 'M')).toBeLessThan(countOf(all, 'size', 'M') ?? 0);
    // With two keys chosen, each key is counted under the other key's filter only.
    expect(countOf(navyM, 'colour', 'Black')).toBe(
      (await list('facet=colour:Black&facet=size:M&limit=1')).total,
    );
    expect(countOf(navyM, 'size', 'L')).toBe(
      (await list('facet=colour:Navy&facet=size:L&limit=1')).total,
    );
  });

  it('prepares a bounded number of listing query shapes, whatever clients send', async () => {
    const repository = t.app.get(ProductListingRepository);
    const shapes = (repository as unknown as { statementNames: Map<string, string> })
      .statementNames;
    for (const sort of ['newest', 'price_asc', 'price_desc', 'name_asc']) {
      for (const category of ['', '&category=women']) {
        for (const stock of ['', '&inStock=true', '&inStock=false']) {
          for (const price of ['', '&minPrice=100', '&maxPrice=90000', '&minPrice=1&maxPrice=2']) {
            await http().get(`/api/products?sort=${sort}${category}${stock}${price}`).expect(200);
          }
        }
      }
    }
    expect(shapes.size).toBe(MAX_PREPARED_SHAPES);
  });

  it('filters by price range and stock', async () => {
    const page = await list('minPrice=2000&maxPrice=5000&inStock=true&limit=100');
    expect(page.total).toBeGreaterThan(0);
    for (const p of page.items) {
      expect(p.priceTo.amount).toBeGreaterThanOrEqual(2000);
      expect(p.priceFrom.amount).toBeLessThanOrEqual(5000);
      expect(p.inStock).toBe(true);
    }
  });

  it('is cacheable: stored on its second miss, then served from the cache; a matching ETag gives 304', async () => {
    await http().get('/api/products?category=shoes').expect(200);
    const first = await http().get('/api/products?category=shoes').expect(200);
    expect(first.headers['cache-control']).toBe('public, max-age=60');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"/);
    const second = await http().get('/api/products?category=shoes').expect(200);
    expect(second.headers['x-cache']).toBe('hit');
    expect(second.body).toEqual(first.body);
    const notModified = await http()
      .get('/api/products?category=shoes')
      .set('If-None-Match', etag)
      .expect(304);
    expect(notModified.text).toBe('');
  });

  it('invalidates the cache when a product changes', async () => {
    const before = await list('category=books-travel&limit=1&sort=price_asc');
    const target = before.items[0]!;
    await http().get('/api/products?category=books-travel&limit=1&sort=price_asc').expect(200);
    const cached = await http()
      .get('/api/products?category=books-travel&limit=1&sort=price_asc')
      .expect(200);
    expect(cached.headers['x-cache']).toBe('hit');
    await t.app
      .get(DataSource)
      .getRepository(Product)
      .update({ id: target.id }, { name: 'Renamed Travel Guide' });
    const after = await http()
      .get('/api/products?category=books-travel&limit=1&sort=price_asc')
      .expect(200);
    expect(after.headers['x-cache']).toBe('miss');
    expect(after.body.items[0].name).toBe('Renamed Travel Guide');
  });
});

describe('GET /api/products/:slug', () => {
  it('returns the product with variants, options and breadcrumb', async () => {
    const [summary] = (await list('category=women-dresses&limit=1')).items;
    const response = await http().get(`/api/products/${summary!.slug}`).expect(200);
    const product = ProductDetailSchema.parse(response.body);
    expect(product.breadcrumb.map((c) => c.slug)).toEqual(['women', 'women-dresses']);
    expect(product.variants.length).toBeGreaterThan(0);
    expect(product.options.map((o) => o.name).sort()).toEqual(['colour', 'size']);
    for (const v of product.variants) {
      expect(v.price.amount).toBeGreaterThanOrEqual(product.priceFrom.amount);
      expect(v.vatRateBasisPoints).toBe(2000);
    }
    expect(response.headers['cache-control']).toBe('public, max-age=60');
  });

  it('is a 404 in the error envelope for an unknown product', async () => {
    const response = await http().get('/api/products/no-such-product').expect(404);
    expect(response.body.error.code).toBe('PRODUCT_NOT_FOUND');
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('does not show products that are not active', async () => {
    const [summary] = (await list('category=tech-audio&limit=1')).items;
    await t.app
      .get(DataSource)
      .getRepository(Product)
      .update({ id: summary!.id }, { status: 'draft' });
    await http().get(`/api/products/${summary!.slug}`).expect(404);
    const page = await list('category=tech-audio&limit=100');
    expect(page.items.some((p) => p.id === summary!.id)).toBe(false);
    await t.app
      .get(DataSource)
      .getRepository(Product)
      .update({ id: summary!.id }, { status: 'active' });
  });
});

describe('GET /api/categories', () => {
  it('returns the tree with product counts that add up', async () => {
    const tree = CategoryTreeSchema.parse((await http().get('/api/categories').expect(200)).body);
    expect(tree.items.length).toBeGreaterThanOrEqual(8);
    const all = tree.items.flatMap((d) => [d, ...d.children]);
    expect(all.length).toBeGreaterThanOrEqual(20);
    for (const department of tree.items) {
      expect(department.productCount).toBe(
        department.children.reduce((sum, c) => sum + c.productCount, 0),
      );
    }
  });
});
