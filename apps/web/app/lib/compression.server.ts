import type { Transform } from 'node:stream';
import { constants, createBrotliCompress, createGzip } from 'node:zlib';
import { HTML_CACHE } from './security-headers.server';

/** A content encoding the web server writes. */
export type ContentEncoding = 'br' | 'gzip';

/**
 * The encoding to answer with, from the request's `Accept-Encoding`: brotli, else gzip, else none
 * (an encoding listed with `q=0` is refused). Shared by pages (entry.server.tsx) and the build's
 * static files (server.mjs, through the entry's re-export).
 */
export function negotiateEncoding(
  acceptEncoding: string | null | undefined,
): ContentEncoding | undefined {
  const accepted = new Set<string>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (name !== '' && (q === undefined || Number(q.slice(2)) > 0)) accepted.add(name);
  }
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return undefined;
}

/**
 * Whether an HTML response may be compressed: only a public page — one the route declared the same
 * for every visitor (`Cache-Control: private, no-cache`, see {@link HTML_CACHE}). Every other page
 * may carry the session's CSRF token (a form) next to text the visitor chose (search terms, form
 * values sent back): compressing both together lets a third party who can make the browser ask for
 * pages and watch their sizes recover the token (BREACH), so those are sent uncompressed. The
 * nonce of a public page is fresh for every response, so that attack cannot learn it.
 */
export function mayCompressPage(headers: Headers): boolean {
  return headers.get('Cache-Control') === HTML_CACHE.publicPage;
}

/**
 * A compressing stream for a page: brotli at quality 5 (pages are made per request; higher
 * qualities cost more time than the bytes they save), gzip at its default level.
 */
export function pageCompressor(encoding: ContentEncoding): Transform {
  return encoding === 'br'
    ? createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 5 } })
    : createGzip();
}
