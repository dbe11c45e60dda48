import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { TEST_PRODUCT_COUNT } from '../support/global-setup';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * SQL-injection payloads in every input of the catalogue. Values are bind parameters and sort
 * orders come from an allowlist, so a payload is either harmless text (200, no extra rows) or an
 * invalid value (400) — never a 500, a database error message, or a changed database.
 */
const PAYLOADS = [
  "' OR '1'='1",
  "'; DROP TABLE product; --",
  '1) OR (1=1',
  "x' UNION SELECT id, slug, name, brand, slug, 1, 1, 'EUR', true, null, null, 1 FROM product --",
  '$1',
  '\\',
  "%' AND pg_sleep(5) --",
  'name; DELETE FROM category',
  'price_from ASC, (SELECT CASE WHEN (1=1) THEN 1 ELSE 1/(SELECT 0) END)',
];

const LEAKS = /syntax|postgres|QueryFailed|relation|column|SELECT|pg_|stack|at \w+ \(/i;

let t: TestApp;
const http = () => request(t.app.getHttpServer());

beforeAll(async () => {
  t = await startTestApp({
    env: { RATE_LIMIT_DEFAULT: '100000/60', RATE_LIMIT_SEARCH: '100000/60' },
  });
});
afterAll(async () => {
  await t.close();
});

async function productCount(): Promise<number> {
  const rows = await t.app
    .get(DataSource)
    .query<{ n: number }[]>('SELECT count(*)::int AS n FROM product');
  return rows[0]!.n;
}

describe.each(PAYLOADS)('payload %s', (payload) => {
  const encoded = encodeURIComponent(payload);

  it('in q is plain search text: no error, no extra rows', async () => {
    const response = await http().get(`/api/products?q=${encoded}`);
    expect(response.status).toBe(200);
    expect(response.body.total).toBeLessThan(TEST_PRODUCT_COUNT);
  });

  it.each(['category', 'sort', 'cursor', 'minPrice', 'maxPrice', 'inStock', 'limit'])(
    'in %s is refused with 400',
    async (name) => {
      const response = await http().get(`/api/products?${name}=${encoded}`);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toMatch(/^(VALIDATION_FAILED|INVALID_CURSOR)$/);
      expect(JSON.stringify(response.body)).not.toMatch(LEAKS);
    },
  );

  it('in a facet value matches nothing and leaks nothing', async () => {
    const response = await http().get(
      `/api/products?facet=${encodeURIComponent(`colour:${payload}`)}`,
    );
    expect([200, 400]).toContain(response.status);
    if (response.status === 200) expect(response.body.total).toBe(0);
    expect(JSON.stringify(response.body)).not.toMatch(LEAKS);
  });

  it('in the product slug is a 400 or 404', async () => {
    const response = await http().get(`/api/products/${encoded}`);
    expect([400, 404]).toContain(response.status);
    expect(JSON.stringify(response.body)).not.toMatch(LEAKS);
  });
});

describe('a forged cursor carrying SQL', () => {
  it('is refused and the database is unchanged', async () => {
    const before = await productCount();
    for (const value of ['1) OR 1=1 --', { toString: 'x' }, 1.5, -1]) {
      const forged = Buffer.from(
        JSON.stringify({ s: 'price_asc', v: value, id: '00000000-0000-4000-8000-000000000000' }),
      ).toString('base64url');
      const response = await http()
        .get(`/api/products?sort=price_asc&cursor=${forged}`)
        .expect(400);
      expect(response.body.error.code).toBe('INVALID_CURSOR');
    }
    expect(await productCount()).toBe(before);
  });
});

it('leaves the catalogue intact after all payloads', async () => {
  expect(await productCount()).toBe(TEST_PRODUCT_COUNT);
  const rows = await t.app
    .get(DataSource)
    .query<{ n: number }[]>('SELECT count(*)::int AS n FROM category');
  expect(rows[0]!.n).toBeGreaterThanOrEqual(20);
});
