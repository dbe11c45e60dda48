import { hash } from 'node:crypto';
import { SetMetadata } from '@nestjs/common';

export const PUBLIC_CACHE = 'http:public-cache';

/**
 * Marks a GET route as public and cacheable: its response is cached (keyed by the full,
 * normalised URL and the catalogue version) and sent with `Cache-Control: public, max-age` and an
 * ETag. Without this decorator every response is `Cache-Control: no-store`.
 */
export const PublicCache = () => SetMetadata(PUBLIC_CACHE, true);

/** Strong ETag of a response body. */
export function etagOf(body: string | Buffer): string {
  return `"${hash('sha256', body, 'base64url').slice(0, 27)}"`;
}

const compareParams = ([ak, av]: [string, string], [bk, bv]: [string, string]) =>
  ak === bk ? (av < bv ? -1 : av > bv ? 1 : 0) : ak < bk ? -1 : 1;

/**
 * The cache key of a request URL: path plus query parameters sorted by name then value, so
 * `?b=1&a=2` and `?a=2&b=1` share an entry. Two URLs share a key only if they are the same request;
 * a URL without a query is its own key (no parsing on the hot path).
 */
export function cacheKeyOf(url: string): string {
  if (!url.includes('?')) return url;
  const parsed = new URL(url, 'http://x');
  const params = [...parsed.searchParams.entries()].sort(compareParams);
  return `${parsed.pathname}?${new URLSearchParams(params).toString()}`;
}

/** The Redis key of a cache key: hashed, so a long URL cannot make a long key. */
export function redisKeyOf(cacheKey: string): string {
  return `public-cache:entry:${hash('sha256', cacheKey, 'base64url')}`;
}

/** True when an `If-None-Match` header matches `etag` (weak comparison, lists and `*`). */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === bare);
}
