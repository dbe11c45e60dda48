import type { MetaDescriptor } from 'react-router';
import { DEFAULT_LOCALE, LOCALES, localePath, type Locale } from '../i18n/locale';

/**
 * Search-engine and link-preview metadata of a page: title, description, canonical URL,
 * `hreflang` alternates and Open Graph, as React Router `meta` descriptors. Client-safe: the
 * absolute URLs are built from the shop's public origin, which loaders take from the server's
 * configuration (`publicBaseUrl()` in seo.server.ts) — never from the request's `Host` header,
 * which a client chooses.
 */

/** Open Graph locale of each language. */
export const OG_LOCALE: Record<Locale, string> = { en: 'en_IE', fr: 'fr_FR' };

/** The shop's name in titles and previews. */
export const SITE_NAME = 'Storefront';

/** Longest meta description kept (search engines cut around 155–160 characters). */
const DESCRIPTION_MAX = 160;

/** An absolute URL on the shop's public origin (`origin` has no trailing slash). */
export function absoluteUrl(origin: string, path: string): string {
  return `${origin}${path.startsWith('/') ? '' : '/'}${path}`;
}

/** The absolute URL of a page (`path` without its language, e.g. `/p/slug` or `/`) in a language. */
export function pageUrl(origin: string, lang: Locale, path: string): string {
  return absoluteUrl(origin, localePath(lang, path));
}

/**
 * True for a catalogue image URL a page may use: a path on this origin or an https URL. A
 * `javascript:`, `data:`, `http:` or protocol-relative value from the catalogue never reaches a
 * page, a preview or structured data.
 */
export function isMediaUrl(url: string): boolean {
  if (url.startsWith('/')) return !url.startsWith('//') && !url.includes('\\');
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/** The absolute URL of a catalogue image, or null when {@link isMediaUrl} refuses it. */
export function mediaUrl(origin: string, url: string): string | null {
  if (!isMediaUrl(url)) return null;
  return url.startsWith('/') ? absoluteUrl(origin, url) : new URL(url).href;
}

/**
 * The language versions of a page, for `hreflang` (page links and the sitemap): every language,
 * plus `x-default` — the language-negotiating `/` for the home page, the default language
 * elsewhere.
 */
export function languageAlternates(
  origin: string,
  path: string,
): { hrefLang: string; href: string }[] {
  return [
    ...LOCALES.map((lang) => ({ hrefLang: lang, href: pageUrl(origin, lang, path) })),
    {
      hrefLang: 'x-default',
      href: path === '/' ? absoluteUrl(origin, '/') : pageUrl(origin, DEFAULT_LOCALE, path),
    },
  ];
}

/** A description of at most 160 characters, cut at a word boundary. */
export function metaDescription(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= DESCRIPTION_MAX) return clean;
  const cut = clean.slice(0, DESCRIPTION_MAX - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > 80 ? cut.slice(0, space) : cut).replace(/[\s,.;:]+$/, '')}…`;
}

/** What a page says about itself. */
export interface PageSeo {
  /** The shop's public origin, no trailing slash (from the loader). */
  origin: string;
  lang: Locale;
  /** The page's path without its language and without a query: `/`, `/c/shoes`, `/p/slug`. */
  path: string;
  title: string;
  description: string;
  /** Open Graph type: `product` on product pages, else `website`. */
  type?: 'website' | 'product';
  /** Absolute URL of the page's main image, if any. */
  image?: string | null;
  /** Pages that search engines should not index (search results): no canonical or alternates. */
  noindex?: boolean;
}

/**
 * The `meta` descriptors of a page: `<title>`, description, canonical link (the page without its
 * query: filters, sort and pagination are variants of one page), `hreflang` alternates
 * ({@link languageAlternates}), Open Graph and the Twitter card type.
 */
export function seoMeta(page: PageSeo): MetaDescriptor[] {
  const url = pageUrl(page.origin, page.lang, page.path);
  const description = metaDescription(page.description);
  const meta: MetaDescriptor[] = [
    { title: page.title },
    { name: 'description', content: description },
  ];
  if (page.noindex) {
    meta.push({ name: 'robots', content: 'noindex, follow' });
  } else {
    meta.push({ tagName: 'link', rel: 'canonical', href: url });
    for (const alternate of languageAlternates(page.origin, page.path))
      meta.push({ tagName: 'link', rel: 'alternate', ...alternate });
  }
  meta.push(
    { property: 'og:site_name', content: SITE_NAME },
    { property: 'og:type', content: page.type ?? 'website' },
    { property: 'og:title', content: page.title },
    { property: 'og:description', content: description },
    { property: 'og:url', content: url },
    { property: 'og:locale', content: OG_LOCALE[page.lang] },
    ...LOCALES.filter((l) => l !== page.lang).map((l) => ({
      property: 'og:locale:alternate',
      content: OG_LOCALE[l],
    })),
  );
  if (page.image) meta.push({ property: 'og:image', content: page.image });
  meta.push({ name: 'twitter:card', content: page.image ? 'summary_large_image' : 'summary' });
  return meta;
}
