/**
 * The shop's languages. Every page lives under its language, `/en/…` or `/fr/…`: one URL is one
 * language (canonical URLs, `hreflang` alternates, shareable links); `/` picks one from the
 * browser's `Accept-Language` and redirects. Client-safe: no server code.
 */
export const LOCALES = ['en', 'fr'] as const;

/** A language of the shop. */
export type Locale = (typeof LOCALES)[number];

/** The language used when the browser states no supported one. */
export const DEFAULT_LOCALE: Locale = 'en';

/** Names of the languages, each in its own language (for the language switch). */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', fr: 'Français' };

/** The `Intl` locale used for numbers, prices and dates (EUR shops: Ireland and France). */
export const INTL_LOCALE: Record<Locale, string> = { en: 'en-IE', fr: 'fr-FR' };

/** True for a supported language code. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/**
 * The best supported language of an `Accept-Language` header (RFC 9110 §12.5.4): ranges by
 * weight, `fr-CA` matching `fr`, `q=0` excluded, malformed entries ignored; the default otherwise.
 */
export function negotiateLocale(acceptLanguage: string | null | undefined): Locale {
  if (!acceptLanguage) return DEFAULT_LOCALE;
  const ranked = acceptLanguage
    .slice(0, 512)
    .split(',')
    .map((part, index) => {
      const [range = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)).find(Boolean);
      return { tag: range.trim().toLowerCase(), q: q ? Number(q[1]) : 1, index };
    })
    .filter((r) => r.q > 0 && /^[a-z]{1,8}(-[a-z0-9]{1,8})*$/.test(r.tag))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const primary = tag.split('-')[0];
    if (isLocale(primary)) return primary;
  }
  return DEFAULT_LOCALE;
}

/** A path of the shop in a language: `localePath('fr', '/c/shoes')` → `/fr/c/shoes`. */
export function localePath(locale: Locale, path = '/'): string {
  return path === '/' || path === ''
    ? `/${locale}`
    : `/${locale}${path.startsWith('/') ? '' : '/'}${path}`;
}

/**
 * The same page in another language: swaps the leading language segment of a path (keeping the
 * query), or prefixes one.
 */
export function switchLocalePath(pathnameAndSearch: string, to: Locale): string {
  const match = /^\/(en|fr)(?=\/|$|\?)(.*)$/.exec(pathnameAndSearch);
  return match ? `/${to}${match[2] ?? ''}` : localePath(to, pathnameAndSearch);
}
