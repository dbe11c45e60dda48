import {
  CategoryTreeSchema,
  ProductDetailSchema,
  ProductListSchema,
  type CategoryNode,
  type CategoryTree,
  type ProductDetail,
  type ProductList,
} from '@storefront/contracts';
import type { z } from 'zod';
import { pageError } from './http-status.server';

/** Time limit of one server-side API call: a slow API gives an error page, not a hung socket. */
const API_TIMEOUT_MS = 5_000;

/**
 * Base URL of the API as the web server reaches it (`API_URL`, default the local API). Read per
 * call so tests and the server start can set it before the first request.
 */
export function apiBaseUrl(): string {
  return (process.env.API_URL ?? 'http://127.0.0.1:3333').replace(/\/+$/, '');
}

/**
 * GETs an API path for the visitor of `request` and validates the body against its contract: a
 * field the contract does not know fails here rather than reaching a page. The visitor's
 * `X-Forwarded-For` goes with it, so the API's per-client rate limit counts the visitor, not this
 * web server (the same trusted hops as on the browser's direct `/api/*` path; no cookie is sent:
 * catalogue reads are public). A 404 becomes this page's 404; anything else unexpected becomes a
 * 502 error page (the API's message is not shown).
 */
async function getJson<T extends z.ZodType>(
  request: Request,
  path: string,
  schema: T,
): Promise<z.output<T>> {
  const headers = new Headers({ accept: 'application/json' });
  const forwardedFor = request.headers.get('x-forwarded-for');
  if (forwardedFor !== null) headers.set('x-forwarded-for', forwardedFor);
  const response = await fetch(`${apiBaseUrl()}/api${path}`, {
    headers,
    signal: AbortSignal.timeout(API_TIMEOUT_MS),
  });
  if (response.status === 404) pageError(404);
  if (!response.ok) pageError(502);
  return schema.parse(await response.json());
}

/** The category tree (`GET /api/categories`). */
export function fetchCategoryTree(request: Request): Promise<CategoryTree> {
  return getJson(request, '/categories', CategoryTreeSchema);
}

/** A page of products (`GET /api/products`) for already validated query parameters. */
export function fetchProducts(request: Request, query: URLSearchParams): Promise<ProductList> {
  const qs = query.toString();
  return getJson(request, `/products${qs === '' ? '' : `?${qs}`}`, ProductListSchema);
}

/** One product by slug (`GET /api/products/:slug`); 404 when unknown. */
export function fetchProduct(request: Request, slug: string): Promise<ProductDetail> {
  return getJson(request, `/products/${encodeURIComponent(slug)}`, ProductDetailSchema);
}

/** Finds a category anywhere in the tree, with its ancestors (top-level first). */
export function findCategory(
  nodes: readonly CategoryNode[],
  slug: string,
  trail: CategoryNode[] = [],
): { node: CategoryNode; trail: CategoryNode[] } | undefined {
  for (const node of nodes) {
    if (node.slug === slug) return { node, trail };
    const found = findCategory(node.children, slug, [...trail, node]);
    if (found) return found;
  }
  return undefined;
}
