/**
 * The shop's public origin, as configured: the base of canonical URLs, `hreflang` alternates,
 * Open Graph URLs, JSON-LD and the sitemap. It comes from the environment only — never from the
 * request's `Host` or `X-Forwarded-Host`, which a client (or a cache-poisoning attacker) chooses.
 */

/** The environment variables the public origin is read from. */
export interface PublicBaseUrlEnv {
  PUBLIC_BASE_URL?: string;
  PUBLIC_ORIGINS?: string;
  NODE_ENV?: string;
  PORT?: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Resolves the public origin (scheme, host and port, no trailing slash): `PUBLIC_BASE_URL` (the
 * same variable the API builds email links with), else the first of `PUBLIC_ORIGINS`, else
 * `http://127.0.0.1:PORT`. Throws, naming the variable, when the value is not an http(s) origin
 * or — in production — not https (plain http is allowed only for a loopback host, for local runs
 * of the production build).
 */
export function resolvePublicBaseUrl(env: PublicBaseUrlEnv): string {
  const [name, raw] = env.PUBLIC_BASE_URL
    ? ['PUBLIC_BASE_URL', env.PUBLIC_BASE_URL]
    : env.PUBLIC_ORIGINS
      ? ['PUBLIC_ORIGINS', env.PUBLIC_ORIGINS.split(',')[0]?.trim() ?? '']
      : ['PORT', `http://127.0.0.1:${env.PORT ?? '3000'}`];
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name}: must be the shop's public URL, e.g. https://shop.example`);
  }
  if (
    !/^https?:$/.test(url.protocol) ||
    url.username !== '' ||
    url.password !== '' ||
    url.search !== '' ||
    url.hash !== '' ||
    !/^\/?$/.test(url.pathname)
  ) {
    throw new Error(`${name}: must be an http(s) origin without path, query or credentials`);
  }
  if (env.NODE_ENV === 'production' && url.protocol !== 'https:' && !LOOPBACK.has(url.hostname)) {
    throw new Error(`${name}: must be https in production`);
  }
  return url.origin;
}

/**
 * The configured public origin, resolved when the server starts (a bad value stops it with the
 * variable's name rather than publishing wrong canonical URLs).
 */
const PUBLIC_BASE_URL = resolvePublicBaseUrl(process.env);

/** The shop's public origin, e.g. `https://shop.example` (no trailing slash). */
export function publicBaseUrl(): string {
  return PUBLIC_BASE_URL;
}
