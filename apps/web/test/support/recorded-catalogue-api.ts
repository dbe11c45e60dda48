import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CategoryTreeSchema,
  ProductDetailSchema,
  ProductListSchema,
  type ProductDetail,
} from '@storefront/contracts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8'));

/**
 * Catalogue responses recorded from the real API (seeded demo catalogue) and validated here by the
 * same contracts the web app parses them with, so a contract change breaks the fixtures loudly.
 */
export const RECORDED = {
  categories: CategoryTreeSchema.parse(fixture('categories')),
  productList: ProductListSchema.parse(fixture('product-list')),
  product: ProductDetailSchema.parse(fixture('product')),
};

/** Slug of a product whose name and description carry script payloads (XSS probe). */
export const HOSTILE_SLUG = 'hostile-product';
/** The payload the hostile product's name carries. */
export const HOSTILE_NAME = '</title><script>window.__pwned=1</script><img src=x onerror=alert(1)>';

/**
 * The CSRF token `GET /api/auth/session` answers a visitor who sends a session cookie with (a
 * visitor without one has none), so pages that put it in their forms can be checked.
 */
export const RECORDED_CSRF_TOKEN = 'recorded-session-csrf-token-0123456789abcdef';

/** A running stand-in of the catalogue API, and the API queries it received. */
export interface RecordedCatalogueApi {
  url: string;
  queries: URLSearchParams[];
  /** `X-Forwarded-For` of every request received (undefined when absent). */
  forwardedFor: (string | undefined)[];
  close(): Promise<void>;
}

/**
 * Starts a tiny HTTP server answering `GET /api/auth/session`, `/api/categories`, `/api/products` and
 * `/api/products/:slug` with the recorded responses (the known product, the hostile product, and
 * the API's 404 envelope for anything else). It is not a mock of the web code: the web server
 * talks HTTP to it exactly as to the API.
 */
export async function startRecordedCatalogueApi(): Promise<RecordedCatalogueApi> {
  const queries: URLSearchParams[] = [];
  const forwardedFor: (string | undefined)[] = [];
  const hostile: ProductDetail = {
    ...RECORDED.product,
    slug: HOSTILE_SLUG,
    name: HOSTILE_NAME,
    description: '"><script>alert(document.cookie)</script>',
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://api');
    const xff = req.headers['x-forwarded-for'];
    forwardedFor.push(Array.isArray(xff) ? xff.join(', ') : xff);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const slug = /^\/api\/products\/([^/]+)$/.exec(url.pathname)?.[1];
    if (url.pathname === '/api/auth/session') {
      const session = /(?:^|;\s*)__Host-sid=/.test(req.headers.cookie ?? '');
      json(200, {
        authenticated: false,
        status: null,
        kind: null,
        csrfToken: session ? RECORDED_CSRF_TOKEN : null,
      });
    } else if (url.pathname === '/api/categories') {
      json(200, RECORDED.categories);
    } else if (url.pathname === '/api/products') {
      queries.push(url.searchParams);
      json(200, RECORDED.productList);
    } else if (slug === RECORDED.product.slug) {
      json(200, RECORDED.product);
    } else if (slug === HOSTILE_SLUG) {
      json(200, hostile);
    } else {
      json(404, { error: { code: 'PRODUCT_NOT_FOUND', message: 'Not found.', requestId: 'x' } });
    }
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    queries,
    forwardedFor,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
