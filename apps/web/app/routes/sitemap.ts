import { PAGE_SIZE, type CategoryNode } from '@storefront/contracts';
import { LOCALES } from '../i18n/locale';
import { fetchCategoryTree, fetchProducts } from '../lib/catalogue-api.server';
import { BASE_SECURITY_HEADERS } from '../lib/security-headers.server';
import { languageAlternates, pageUrl } from '../lib/seo';
import { publicBaseUrl } from '../lib/seo.server';

/**
 * `/sitemap.xml`: every public page of the catalogue — home, categories, products — in every
 * language, each with its `hreflang` alternates (`xhtml:link`), on the configured public origin.
 * Built from the API (the category tree, then every product through the listing's cursor
 * pagination) and kept in memory for {@link SITEMAP_MAX_AGE_SECONDS}; the response is public
 * and cacheable for as long (it is the same for everybody). No `lastmod`: the API does not
 * publish when a product changed.
 */

/** How long the sitemap is kept (in this process and by browsers and CDNs). */
export const SITEMAP_MAX_AGE_SECONDS = 3_600;

/** The sitemap protocol's limit of URLs in one file (beyond it, a sitemap index is needed). */
export const SITEMAP_MAX_URLS = 50_000;

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Text safe inside an XML element or a quoted attribute. */
function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

/** Every category of the tree, parents before their children. */
function allCategories(nodes: readonly CategoryNode[]): CategoryNode[] {
  return nodes.flatMap((node) => [node, ...allCategories(node.children)]);
}

/**
 * The language-less paths of every public page: home, categories, then products page by page
 * (newest first) until the API's cursor ends. Stops early — never loops — if the API hands back a
 * cursor it already gave, and at the protocol's URL limit (logged: the catalogue then needs a
 * sitemap index).
 */
async function publicPaths(request: Request): Promise<string[]> {
  const tree = await fetchCategoryTree(request);
  const paths = ['/', ...allCategories(tree.items).map((c) => `/c/${encodeURIComponent(c.slug)}`)];
  const maxPaths = Math.floor(SITEMAP_MAX_URLS / LOCALES.length);
  const slugs = new Set<string>();
  const cursors = new Set<string>();
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ sort: 'newest', limit: String(PAGE_SIZE.max) });
    if (cursor !== null) query.set('cursor', cursor);
    const page = await fetchProducts(request, query);
    for (const product of page.items) {
      if (slugs.has(product.slug)) continue;
      slugs.add(product.slug);
      paths.push(`/p/${encodeURIComponent(product.slug)}`);
    }
    cursor = page.nextCursor;
    if (cursor !== null && cursors.has(cursor)) break;
    if (cursor !== null) cursors.add(cursor);
  } while (cursor !== null && paths.length < maxPaths);
  if (cursor !== null && paths.length >= maxPaths) {
    console.warn(
      JSON.stringify({
        level: 'warn',
        msg: 'sitemap truncated at the protocol limit: split it into a sitemap index',
        pages: paths.length,
      }),
    );
    return paths.slice(0, maxPaths);
  }
  return paths;
}

/** The sitemap document for a public origin. */
async function buildSitemap(request: Request, origin: string): Promise<string> {
  const urls = (await publicPaths(request)).flatMap((path) => {
    const alternates = languageAlternates(origin, path)
      .map(
        (a) =>
          `<xhtml:link rel="alternate" hreflang="${escapeXml(a.hrefLang)}" href="${escapeXml(a.href)}"/>`,
      )
      .join('');
    return LOCALES.map(
      (lang) => `<url><loc>${escapeXml(pageUrl(origin, lang, path))}</loc>${alternates}</url>`,
    );
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ...urls,
    '</urlset>',
    '',
  ].join('\n');
}

/**
 * The sitemap being built or kept: concurrent requests share one build, which the API counts
 * against the client whose request started it.
 */
let kept: { until: number; xml: Promise<string> } | undefined;

function sitemapXml(request: Request): Promise<string> {
  const now = Date.now();
  if (kept && kept.until > now) return kept.xml;
  const xml = buildSitemap(request, publicBaseUrl());
  const entry = { until: now + SITEMAP_MAX_AGE_SECONDS * 1000, xml };
  kept = entry;
  // A failed build is not kept: the next request tries again.
  xml.catch(() => {
    if (kept === entry) kept = undefined;
  });
  return xml;
}

/** The sitemap, or a 503 (never cached) when the catalogue cannot be read. */
export async function loader({ request }: { request: Request }) {
  try {
    return new Response(await sitemapXml(request), {
      headers: {
        ...BASE_SECURITY_HEADERS,
        'Content-Type': 'application/xml; charset=utf-8',
        'Cache-Control': `public, max-age=${String(SITEMAP_MAX_AGE_SECONDS)}`,
      },
    });
  } catch {
    console.error(JSON.stringify({ level: 'error', msg: 'sitemap: the catalogue is unavailable' }));
    return new Response('The sitemap is temporarily unavailable.\n', {
      status: 503,
      headers: {
        ...BASE_SECURITY_HEADERS,
        'Content-Type': 'text/plain; charset=utf-8',
        'Cache-Control': 'no-store',
        'Retry-After': '60',
      },
    });
  }
}
