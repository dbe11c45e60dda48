import { randomBytes } from 'node:crypto';

/**
 * The page security policy of the storefront, in one place: the per-response nonce, the CSP built
 * around it, and the other headers every HTML response carries. `entry.server.tsx` is the only
 * caller for HTML; `server.mjs` applies {@link BASE_SECURITY_HEADERS} to static files and proxied
 * errors through the server build's exports.
 */

/**
 * A fresh CSP nonce: 128 bits from the CSPRNG, base64. Called once per HTML response and never
 * cached, so a nonce seen in one page is useless for the next.
 */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The Trusted Types policy names the pages may create. Empty: React Router's hydration and
 * client-side navigation use no injection sink (scripts are server-rendered with the nonce, route
 * modules load by `import()`), so no policy is allowed and any sink assignment throws. JSON-LD and
 * any later need must add a named policy here, with a test.
 */
export const TRUSTED_TYPES_POLICIES: readonly string[] = [];

/**
 * The Content-Security-Policy of an HTML response. Scripts run only with this response's nonce
 * (`'strict-dynamic'` lets them load the build's modules); no inline or eval; no plugins, no
 * `<base>`, forms post only to this origin, no framing; Trusted Types required for script sinks.
 */
export function contentSecurityPolicy(nonce: string): string {
  const trustedTypes =
    TRUSTED_TYPES_POLICIES.length === 0 ? "'none'" : TRUSTED_TYPES_POLICIES.join(' ');
  return [
    "default-src 'self'",
    `script-src 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self'",
    "img-src 'self' data: https:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    `trusted-types ${trustedTypes}`,
    'upgrade-insecure-requests',
  ].join('; ');
}

/** Headers every response of the web server carries (HTML, data, static files, errors). */
export const BASE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(self)',
};

/**
 * `Cache-Control` of HTML. A page embeds its nonce, so no shared cache may store it (a cached page
 * would replay its nonce to everybody): public pages are `private, no-cache` (the browser may keep
 * them for back/forward, revalidating), errors and anything not declared public are `no-store`.
 */
export const HTML_CACHE = { publicPage: 'private, no-cache', default: 'no-store' } as const;

/**
 * Sets the security headers of an HTML response with its nonce. A route declares itself a public
 * page by returning `Cache-Control: private, no-cache` from its `headers` export; every other
 * page, and every error status, is `no-store`.
 */
export function applyHtmlSecurityHeaders(headers: Headers, nonce: string, status: number): void {
  for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS)) headers.set(name, value);
  headers.set('Content-Security-Policy', contentSecurityPolicy(nonce));
  headers.set('Content-Type', 'text/html; charset=utf-8');
  const declared = headers.get('Cache-Control');
  headers.set(
    'Cache-Control',
    status < 400 && declared === HTML_CACHE.publicPage ? HTML_CACHE.publicPage : HTML_CACHE.default,
  );
}
