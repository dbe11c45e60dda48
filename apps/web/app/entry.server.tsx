import { PassThrough } from 'node:stream';
import { createReadableStreamFromReadable } from '@react-router/node';
import { renderToPipeableStream } from 'react-dom/server';
import { ServerRouter, type EntryContext, type HandleDataRequestFunction } from 'react-router';
import { mayCompressPage, negotiateEncoding, pageCompressor } from './lib/compression.server';
import {
  BASE_SECURITY_HEADERS,
  applyHtmlSecurityHeaders,
  applyPageSecurityProfile,
  createNonce,
  pageSecurityProfileOf,
} from './lib/security-headers.server';

/** How long React may stream before unresolved boundaries are abandoned. */
export const streamTimeout = 5_000;

/**
 * Re-exported so `server.mjs` applies the same headers, and the same encoding negotiation, to
 * static files without a second copy.
 */
export { BASE_SECURITY_HEADERS, negotiateEncoding };

/**
 * Renders every HTML response. THE place where the CSP nonce is made: one fresh nonce per
 * response, given to `<ServerRouter nonce>` (the default of `<Scripts>`, `<ScrollRestoration>` and
 * the streamed data scripts) and to React's bootstrap scripts, and written into the CSP header of
 * the same response. Waits for the whole page (loaders already ran) so the status is final.
 */
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  routerContext: EntryContext,
): Promise<Response> {
  const nonce = createNonce();
  // A page may declare a security profile in its route `handle` (`{ pageSecurity: 'stripe' }`):
  // its named allowances (lib/security-headers.server.ts) apply to this document only.
  const profile = pageSecurityProfileOf(
    routerContext.staticHandlerContext.matches.map(
      (match) => routerContext.routeModules[match.route.id]?.handle,
    ),
  );
  const secure = (status: number) => {
    applyHtmlSecurityHeaders(responseHeaders, nonce, status);
    if (profile) applyPageSecurityProfile(responseHeaders, profile);
  };
  secure(responseStatusCode);
  if (request.method.toUpperCase() === 'HEAD') {
    return Promise.resolve(
      new Response(null, { status: responseStatusCode, headers: responseHeaders }),
    );
  }

  return new Promise((resolve, reject) => {
    let status = responseStatusCode;
    const timer = setTimeout(() => {
      abort();
    }, streamTimeout + 1_000);
    const { pipe, abort } = renderToPipeableStream(
      <ServerRouter context={routerContext} url={request.url} nonce={nonce} />,
      {
        nonce,
        onAllReady() {
          const body = new PassThrough({
            final(callback) {
              clearTimeout(timer);
              callback();
            },
          });
          secure(status);
          // Public pages only, never a personal one (see lib/compression.server.ts: BREACH).
          const compressible = mayCompressPage(responseHeaders);
          const encoding = compressible
            ? negotiateEncoding(request.headers.get('Accept-Encoding'))
            : undefined;
          if (compressible) responseHeaders.append('Vary', 'Accept-Encoding');
          if (encoding) responseHeaders.set('Content-Encoding', encoding);
          const sent = encoding ? body.pipe(pageCompressor(encoding)) : body;
          resolve(
            new Response(createReadableStreamFromReadable(sent), {
              headers: responseHeaders,
              status,
            }),
          );
          pipe(body);
        },
        onShellError(error: unknown) {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error('render failed'));
        },
        onError(error: unknown) {
          status = 500;
          console.error(error);
        },
      },
    );
  });
}

/**
 * Client-side navigation data (`*.data`): the same headers as everything else, never stored by a
 * shared cache (it may be personal later), no CSP needed (not a document).
 */
export const handleDataRequest: HandleDataRequestFunction = (response) => {
  for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS))
    response.headers.set(name, value);
  if (!response.headers.has('Cache-Control')) response.headers.set('Cache-Control', 'no-store');
  return response;
};
