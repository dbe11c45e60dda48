import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metaDescription } from '../app/lib/seo';
import {
  HOSTILE_NAME,
  HOSTILE_SLUG,
  RECORDED,
  startRecordedCatalogueApi,
  type RecordedCatalogueApi,
} from './support/recorded-catalogue-api';
import { startWebServer, type RunningWebServer } from './support/web-server';

/**
 * Search-engine metadata of the storefront's pages (canonical URLs, hreflang alternates, Open
 * Graph, JSON-LD), the sitemap and robots.txt, against the built web server and the recorded
 * catalogue. The public origin is configured (PUBLIC_BASE_URL) and differs from the address the
 * test talks to: every absolute URL must use it.
 */

const ORIGIN = 'https://www.shop.example';
let api: RecordedCatalogueApi;
let web: RunningWebServer;

beforeAll(async () => {
  api = await startRecordedCatalogueApi();
  web = await startWebServer(api.url, { PUBLIC_BASE_URL: ORIGIN });
});

afterAll(async () => {
  await web.stop();
  await api.close();
});

const get = (path: string, init?: RequestInit) =>
  fetch(`${web.url}${path}`, { redirect: 'manual', ...init });

const decode = (text: string) =>
  text
    .replaceAll('&quot;', '"')
    .replaceAll('&#x27;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

/** The attributes of every `<tagName …>` element of an HTML text. */
function tags(html: string, tagName: 'link' | 'meta' | 'img'): Record<string, string>[] {
  return [...html.matchAll(new RegExp(`<${tagName}\\s([^>]*?)/?>`, 'g'))].map(
    (m): Record<string, string> =>
      Object.fromEntries(
        [...(m[1] ?? '').matchAll(/([a-zA-Z:-]+)="([^"]*)"/g)].map((a): [string, string] => [
          a[1]!,
          decode(a[2]!),
        ]),
      ),
  );
}

/** Head metadata of a page: canonical, alternates by hreflang, Open Graph and named metas. */
function headOf(html: string) {
  const links = tags(html, 'link');
  const metas = tags(html, 'meta');
  return {
    canonical: links.filter((l) => l.rel === 'canonical').map((l) => l.href),
    alternates: Object.fromEntries(
      links.filter((l) => l.rel === 'alternate').map((l) => [l.hrefLang ?? l.hreflang, l.href]),
    ),
    og: Object.fromEntries(metas.filter((m) => m.property).map((m) => [m.property, m.content])),
    named: Object.fromEntries(metas.filter((m) => m.name).map((m) => [m.name, m.content])),
    title: decode(/<title>([^<]*)<\/title>/.exec(html)?.[1] ?? ''),
  };
}

/** The raw text and the parsed value of every JSON-LD block of a page. */
function jsonLdOf(html: string): { raw: string; value: Record<string, unknown> }[] {
  return [...html.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)].map(
    (m) => ({ raw: m[1]!, value: JSON.parse(m[1]!) as Record<string, unknown> }),
  );
}

const byType = (blocks: ReturnType<typeof jsonLdOf>, type: string) =>
  blocks.filter((b) => b.value['@type'] === type).map((b) => b.value);

const product = RECORDED.product;
const category = product.breadcrumb.at(-1)!;

describe('page metadata', () => {
  it('a product page: title, description, canonical, hreflang en/fr/x-default, Open Graph with its image', async () => {
    const response = await get(`/fr/p/${product.slug}?utm_source=mail`);
    expect(response.status).toBe(200);
    const head = headOf(await response.text());
    expect(head.title).toBe(`${product.name} — ${product.brand} — Storefront`);
    expect(head.named.description).toBe(metaDescription(product.description));
    expect(head.named.description!.length).toBeLessThanOrEqual(160);
    expect(head.canonical).toEqual([`${ORIGIN}/fr/p/${product.slug}`]);
    expect(head.alternates).toEqual({
      en: `${ORIGIN}/en/p/${product.slug}`,
      fr: `${ORIGIN}/fr/p/${product.slug}`,
      'x-default': `${ORIGIN}/en/p/${product.slug}`,
    });
    expect(head.og).toMatchObject({
      'og:type': 'product',
      'og:title': head.title,
      'og:url': `${ORIGIN}/fr/p/${product.slug}`,
      'og:image': `${ORIGIN}${product.images[0]!.url}`,
      'og:locale': 'fr_FR',
    });
    expect(head.og['og:description']).toBe(head.named.description);
    expect(head.named.robots).toBeUndefined();
  });

  it('a category page: its canonical URL drops filters, sort and pagination', async () => {
    const facet = RECORDED.productList.facets[0]!;
    const html = await (
      await get(
        `/en/c/${category.slug}?facet=${encodeURIComponent(`${facet.key}:${facet.values[0]!.value}`)}&sort=price_asc&cursor=${RECORDED.productList.nextCursor!}`,
      )
    ).text();
    const head = headOf(html);
    expect(head.canonical).toEqual([`${ORIGIN}/en/c/${category.slug}`]);
    expect(head.alternates['x-default']).toBe(`${ORIGIN}/en/c/${category.slug}`);
    expect(head.alternates.fr).toBe(`${ORIGIN}/fr/c/${category.slug}`);
    expect(head.og['og:type']).toBe('website');
    expect(head.title).toBe(`${category.name} — Storefront`);
  });

  it('the home page: x-default is the language-negotiating root', async () => {
    const head = headOf(await (await get('/en')).text());
    expect(head.canonical).toEqual([`${ORIGIN}/en`]);
    expect(head.alternates).toEqual({
      en: `${ORIGIN}/en`,
      fr: `${ORIGIN}/fr`,
      'x-default': `${ORIGIN}/`,
    });
    expect(head.og['og:url']).toBe(`${ORIGIN}/en`);
  });

  it('absolute URLs come from the configuration, never from the Host or X-Forwarded-Host headers', async () => {
    const { port } = new URL(web.url);
    const html = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: `/en/p/${product.slug}`,
          headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => {
            resolve(body);
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(headOf(html).canonical).toEqual([`${ORIGIN}/en/p/${product.slug}`]);
    expect(html).not.toContain('evil.example');
  });
});

describe('JSON-LD', () => {
  it('a product page has a valid Product (with one offer per variant) and its BreadcrumbList', async () => {
    const blocks = jsonLdOf(await (await get(`/en/p/${product.slug}`)).text());
    const [ld] = byType(blocks, 'Product');
    const url = `${ORIGIN}/en/p/${product.slug}`;
    expect(ld).toMatchObject({
      '@context': 'https://schema.org',
      name: product.name,
      description: product.description,
      brand: { '@type': 'Brand', name: product.brand },
      image: product.images.map((i) => `${ORIGIN}${i.url}`),
      url,
    });
    // Several variants: no product-level SKU, each offer carries its own.
    expect(ld!.sku).toBeUndefined();
    expect(ld!.offers).toEqual(
      product.variants.map((v) => ({
        '@type': 'Offer',
        sku: v.sku,
        price: (v.price.amount / 100).toFixed(2),
        priceCurrency: 'EUR',
        availability: {
          in_stock: 'https://schema.org/InStock',
          low_stock: 'https://schema.org/LimitedAvailability',
          out_of_stock: 'https://schema.org/OutOfStock',
        }[v.stockStatus],
        itemCondition: 'https://schema.org/NewCondition',
        url,
      })),
    );
    const [crumbs] = byType(blocks, 'BreadcrumbList');
    expect(crumbs!.itemListElement).toEqual([
      { '@type': 'ListItem', position: 1, name: 'Home', item: `${ORIGIN}/en` },
      ...product.breadcrumb.map((c, i) => ({
        '@type': 'ListItem',
        position: i + 2,
        name: c.name,
        item: `${ORIGIN}/en/c/${c.slug}`,
      })),
      {
        '@type': 'ListItem',
        position: product.breadcrumb.length + 2,
        name: product.name,
        item: url,
      },
    ]);
  });

  it('a category page has its BreadcrumbList, in the page language', async () => {
    const blocks = jsonLdOf(await (await get(`/fr/c/${category.slug}`)).text());
    const [crumbs] = byType(blocks, 'BreadcrumbList');
    const items = crumbs!.itemListElement as { name: string; item: string }[];
    expect(items[0]).toMatchObject({ name: 'Accueil', item: `${ORIGIN}/fr` });
    expect(items.at(-1)).toMatchObject({
      name: category.name,
      item: `${ORIGIN}/fr/c/${category.slug}`,
    });
  });

  it('the home page describes the site and its search', async () => {
    const [site] = byType(jsonLdOf(await (await get('/fr')).text()), 'WebSite');
    expect(site).toMatchObject({
      url: `${ORIGIN}/fr`,
      inLanguage: 'fr',
      potentialAction: {
        '@type': 'SearchAction',
        target: { urlTemplate: `${ORIGIN}/fr/search?q={search_term_string}` },
      },
    });
  });

  it('a script payload in catalogue data stays inside the JSON: escaped, never closing the element', async () => {
    const html = await (await get(`/en/p/${HOSTILE_SLUG}`)).text();
    const blocks = jsonLdOf(html);
    const [ld] = byType(blocks, 'Product');
    expect(ld!.name).toBe(HOSTILE_NAME);
    expect(HOSTILE_NAME).toContain('</script>');
    for (const block of blocks) expect(block.raw).not.toMatch(/[<>&]/);
    expect(html).not.toContain('<script>window.__pwned');
    // Every <script> in the page is closed by its own end tag: none was cut short by data.
    const opened = html.match(/<script[\s>]/g)?.length ?? 0;
    expect(html.match(/<\/script>/g)?.length).toBe(opened);
  });
});

describe('product gallery', () => {
  it('shows every image with its alt text and intrinsic size; only the first loads eagerly', async () => {
    const html = await (await get(`/en/p/${product.slug}`)).text();
    const images = tags(html, 'img');
    expect(images.map((i) => i.src)).toEqual(product.images.map((i) => i.url));
    expect(images.map((i) => i.alt)).toEqual(product.images.map((i) => i.alt));
    for (const image of images) {
      expect(image.width).toBe('800');
      expect(image.height).toBe('800');
    }
    expect(images.map((i) => i.loading)).toEqual(['eager', 'lazy']);
  });

  it('the images are served by the web server', async () => {
    for (const image of product.images) {
      const response = await get(image.url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('image/svg+xml');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await response.text()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    }
  });
});

describe('sitemap.xml', () => {
  it('lists home, every category and every product in both languages, with alternates', async () => {
    const response = await get('/sitemap.xml');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/xml; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const xml = await response.text();
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<urlset ')).toBe(true);
    expect(xml).toContain('xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"');
    expect(xml).toContain('xmlns:xhtml="http://www.w3.org/1999/xhtml"');
    expect(xml.trimEnd().endsWith('</urlset>')).toBe(true);
    const urls = [...xml.matchAll(/<url>([\s\S]*?)<\/url>/g)].map((m) => m[1]!);
    const locs = urls.map((u) => /<loc>([^<]*)<\/loc>/.exec(u)![1]);
    // The recorded API answers every page with the same products and cursor: listed once each,
    // and the walk stopped instead of looping.
    expect(new Set(locs).size).toBe(locs.length);
    const categories = (function all(nodes: typeof RECORDED.categories.items): string[] {
      return nodes.flatMap((n) => [n.slug, ...all(n.children)]);
    })(RECORDED.categories.items);
    const paths = [
      '',
      ...categories.map((slug) => `/c/${slug}`),
      ...RECORDED.productList.items.map((p) => `/p/${p.slug}`),
    ];
    expect(locs.sort()).toEqual(
      paths.flatMap((p) => [`${ORIGIN}/en${p}`, `${ORIGIN}/fr${p}`]).sort(),
    );
    const first = RECORDED.productList.items[0]!.slug;
    const entry = urls.find((u) => u.includes(`<loc>${ORIGIN}/fr/p/${first}</loc>`));
    expect(entry).toBe(
      `<loc>${ORIGIN}/fr/p/${first}</loc>` +
        `<xhtml:link rel="alternate" hreflang="en" href="${ORIGIN}/en/p/${first}"/>` +
        `<xhtml:link rel="alternate" hreflang="fr" href="${ORIGIN}/fr/p/${first}"/>` +
        `<xhtml:link rel="alternate" hreflang="x-default" href="${ORIGIN}/en/p/${first}"/>`,
    );
    expect(urls.find((u) => u.includes(`<loc>${ORIGIN}/en</loc>`))).toContain(
      `hreflang="x-default" href="${ORIGIN}/"`,
    );
  });
});

describe('robots.txt', () => {
  it('keeps crawlers out of personal pages, the API and search, and points to the sitemap', async () => {
    const response = await get('/robots.txt');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(response.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    const lines = (await response.text()).split('\n');
    expect(lines[0]).toBe('User-agent: *');
    for (const path of ['/api/', '/en/account', '/fr/cart', '/en/checkout', '/fr/search'])
      expect(lines).toContain(`Disallow: ${path}`);
    expect(lines).toContain(`Sitemap: ${ORIGIN}/sitemap.xml`);
    expect(lines).not.toContain('Disallow: /');
  });
});
