import { LOCALES } from '../i18n/locale';

/**
 * Where to send a visitor back after signing in (`?returnTo=`): the one place that decides whether
 * such a value may be followed. A value from a URL is attacker-controlled (a phishing link can
 * carry `returnTo=//evil.example`), so it is accepted only when it is, unambiguously, a page of
 * this shop: a relative path under one of the shop's languages (`/en/…`, `/fr/…`), in plain
 * printable ASCII, that the URL parser reads back exactly as written. Everything else — absolute
 * URLs, scheme-relative `//host`, backslashes (`/\host`, which browsers read as `//host`),
 * control characters and whitespace (stripped by URL parsers), encoded slashes, backslashes and
 * dots (`%2f`, `%5c`, `%2e`: decoded by some servers and proxies), `..` segments and fragments —
 * is refused, and the caller falls back to its default page. Client-safe: no server code.
 */

/** The longest return path accepted (a page address, not a payload). */
export const RETURN_TO_MAX_LENGTH = 512;

/** A base that cannot be reached: only used to let the URL parser judge a relative path. */
const PROBE_ORIGIN = 'https://return-to.invalid';

/** Pages it makes no sense to come back to (sign-in and sign-out loops). */
const NOT_A_DESTINATION = /^\/[a-z]{2}\/account\/(sign-in|sign-out)(\/|$|\?)/;

/**
 * The return path if `value` is a safe same-site relative path under the shop, else `null`.
 * Never decodes, never repairs: a value that needs either is refused.
 */
export function safeReturnTo(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (value.length < 3 || value.length > RETURN_TO_MAX_LENGTH) return null;
  // Printable ASCII only: no whitespace, controls or Unicode look-alikes; no backslash at all.
  if (!/^[\x21-\x7e]+$/.test(value) || value.includes('\\')) return null;
  // One leading slash followed by a language of the shop, then a path, a query or nothing.
  const languages = LOCALES.join('|');
  if (!new RegExp(`^/(${languages})(/|\\?|$)`).test(value)) return null;
  // No empty segment (`//`), no fragment, and no encoded slash, backslash, dot, percent or control.
  if (value.includes('//') || value.includes('#')) return null;
  if (/%(2f|5c|2e|25|[01][0-9a-f]|7f)/i.test(value)) return null;
  let parsed: URL;
  try {
    parsed = new URL(value, PROBE_ORIGIN);
  } catch {
    return null;
  }
  // The parser must read it back unchanged: same origin, no `.`/`..` normalisation.
  if (parsed.origin !== PROBE_ORIGIN || `${parsed.pathname}${parsed.search}` !== value) return null;
  if (NOT_A_DESTINATION.test(value)) return null;
  return value;
}

/** {@link safeReturnTo}, or `fallback` when the value is absent or refused. */
export function returnToOr(value: unknown, fallback: string): string {
  return safeReturnTo(value) ?? fallback;
}
