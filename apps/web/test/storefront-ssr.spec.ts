import { get as httpGet } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HOSTILE_NAME,
  HOSTILE_SLUG,
  RECORDED,
  RECORDED_CSRF_TOKEN,
  startRecordedCatalogueApi,
  type RecordedCatalogueApi,
} from './support/recorded-catalogue-api';
import { startWebServer, type RunningWebServer } from './support/web-server';

let api: RecordedCatalogueApi;
let web: RunningWebServer;

beforeAll(async () => {
  api = await startRecordedCatalogueApi();
  web = await startWebServer(api.url, { API_PROXY: 'on' });
});

afterAll(async () => {
  await web.stop();
  await api.close();
});

const get = (path: string, init?: RequestInit) =>
  fetch(`${web.url}${path}`, { redirect: 'manual', ...init });

/** The directives of a CSP header, by name. */
function directives(csp: string): Map<string, string> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim())
      .filter((d) => d !== '')
      .map((d) => {
        const [name = '', ...values] = d.split(/\s+/);
        return [name, values.join(' ')];
      }),
  );
}

/** The nonce of a CSP's script-src, failing the test if the policy has none. */
function nonceOf(csp: string): string {
  const match = /^'nonce-([A-Za-z0-9+/=]+)' 'strict-dynamic'$/.exec(
    directives(csp).get('script-src') ?? '',
  );
  expect(match, `script-src must be exactly a nonce and 'strict-dynamic': ${csp}`).not.toBeNull();
  return match![1]!;
}

const categorySlug = RECORDED.productList.items[0]!.categorySlug;
const PAGES = ['/en', `/en/c/${categorySlug}`, `/fr/p/${RECORDED.product.slug}`];

describe('Content-Security-Policy of HTML responses (ASVS 3.4.3)', () => {
  it.each(PAGES)(
    '%s has a strict nonce-based CSP that matches every script and preload',
    async (path) => {
      const response = await get(path);
      expect(response.status).toBe(200);
      const csp = response.headers.get('content-security-policy') ?? '';
      const nonce = nonceOf(csp);
      expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
      const policy = directives(csp);
      expect(policy.get('object-src')).toBe("'none'");
      expect(policy.get('base-uri')).toBe("'none'");
      expect(policy.get('form-action')).toBe("'self'");
      expect(policy.get('frame-ancestors')).toBe("'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|unsafe-hashes|\*/);

      const html = await response.text();
      // JSON-LD data blocks are never executed (script-src does not apply): no nonce needed.
      const scripts = [...html.matchAll(/<script\b[^>]*>/g)]
        .map((m) => m[0])
        .filter((tag) => tag !== '<script type="application/ld+json">');
      expect(scripts.length).toBeGreaterThanOrEqual(2); // the context/bootstrap scripts and the module loader
      for (const tag of scripts) expect(tag).toContain(` nonce="${nonce}"`);
      const preloads = [...html.matchAll(/<link\b[^>]*rel="modulepreload"[^>]*>/g)].map(
        (m) => m[0],
      );
      expect(preloads.length).toBeGreaterThan(0);
      for (const tag of preloads) expect(tag).toContain(`nonce="${nonce}"`);
      // No nonce other than this response's appears anywhere in the page.
      const nonces = new Set([...html.matchAll(/nonce="([^"]*)"/g)].map((m) => m[1]));
      expect([...nonces]).toEqual([nonce]);
    },
  );

  it('uses a fresh nonce for every response', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5; i += 1) {
      const response = await get('/en');
      seen.add(nonceOf(response.headers.get('content-security-policy') ?? ''));
      await response.text();
    }
    expect(seen.size).toBe(5);
  });

  it('enforces Trusted Types for script sinks, allowing only the JSON-LD policy, once', async () => {
    const response = await get('/en');
    await response.text();
    const policy = directives(response.headers.get('content-security-policy') ?? '');
    expect(policy.get('require-trusted-types-for')).toBe("'script'");
    // No `default` policy, no 'allow-duplicates': see components/json-ld.tsx.
    expect(policy.get('trusted-types')).toBe('storefront-jsonld');
  });

  it('sends the CSP on error pages too', async () => {
    const response = await get('/en/p/no-such-product');
    expect(response.status).toBe(404);
    await response.text();
    nonceOf(response.headers.get('content-security-policy') ?? '');
  });

  it.each([...PAGES, '/en/p/no-such-product'])(
    '%s reports violations to the API (report-uri, and report-to its Reporting-Endpoints entry)',
    async (path) => {
      const response = await get(path);
      await response.text();
      const policy = directives(response.headers.get('content-security-policy') ?? '');
      expect(policy.get('report-uri')).toBe('/api/csp-reports');
      expect(policy.get('report-to')).toBe('csp');
      expect(response.headers.get('reporting-endpoints')).toBe('csp="/api/csp-reports"');
    },
  );
});

describe('other security headers (ASVS 3.4.1, 3.4.4–3.4.8)', () => {
  const expectBaseHeaders = (response: Response) => {
    expect(response.headers.get('strict-transport-security')).toBe(
      'max-age=63072000; includeSubDomains',
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  };

  it.each([...PAGES, '/en/p/no-such-product', '/healthz', '/favicon.svg'])(
    '%s carries them',
    async (path) => {
      const response = await get(path);
      await response.arrayBuffer();
      expectBaseHeaders(response);
    },
  );

  it('on built assets and on client-navigation data', async () => {
    const html = await (await get('/en')).text();
    const asset = /href="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await get(asset!);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    await script.arrayBuffer();
    expectBaseHeaders(script);
    const data = await get(`/en/c/${categorySlug}.data`);
    await data.arrayBuffer();
    expect(data.status).toBe(200);
    expectBaseHeaders(data);
    // A public page's data follows the page: kept privately, never by a shared cache.
    expect(data.headers.get('cache-control')).toBe('private, no-cache');
  });

  it('public pages are never stored by shared caches (their nonce would be replayed); errors are no-store', async () => {
    for (const path of PAGES) {
      const response = await get(path);
      await response.text();
      expect(response.headers.get('cache-control'), path).toBe('private, no-cache');
    }
    const missing = await get('/nowhere');
    await missing.text();
    expect(missing.headers.get('cache-control')).toBe('no-store');
  });

  it('does not serve the build manifest or files outside the client build', async () => {
    for (const path of ['/.vite/manifest.json', '/%2e%2e/server/index.js', '/..%2fserver.mjs']) {
      const response = await get(path);
      const body = await response.text();
      expect(response.status, path).toBe(404);
      expect(body).not.toContain('createRequestListener');
    }
  });
});

describe('catalogue pages rendered from the API', () => {
  it("forwards the visitor's X-Forwarded-For, so the API rate-limits the visitor and not the web server", async () => {
    const before = api.forwardedFor.length;
    const response = await get(`/en/c/${categorySlug}`, {
      headers: { 'x-forwarded-for': '203.0.113.7, 198.51.100.2' },
    });
    expect(response.status).toBe(200);
    const calls = api.forwardedFor.slice(before);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.every((v) => v === '203.0.113.7, 198.51.100.2')).toBe(true);
  });

  it('home lists the top-level categories and products', async () => {
    const html = await (await get('/en')).text();
    for (const category of RECORDED.categories.items)
      expect(html).toContain(`href="/en/c/${category.slug}"`);
    expect(html).toContain(`href="/en/p/${RECORDED.productList.items[0]!.slug}"`);
  });

  it('a listing renders products, facet links, the sort form and forwards only allowed filters', async () => {
    const facet = RECORDED.productList.facets[0]!;
    const value = facet.values[0]!.value;
    const response = await get(
      `/en/c/${categorySlug}?facet=${encodeURIComponent(`${facet.key}:${value}`)}&sort=price_asc&utm_source=x`,
    );
    expect(response.status).toBe(200);
    const html = await response.text();
    for (const product of RECORDED.productList.items)
      expect(html).toContain(`href="/en/p/${product.slug}"`);
    expect(html).toContain(`${RECORDED.productList.total} products`);
    // The chosen facet is pressed and its link removes it; another value's link adds it.
    const other = facet.values[1]!.value;
    expect(html).toMatch(
      new RegExp(
        `<a class="facet-link selected"[^>]*href="/en/c/${categorySlug}\\?sort=price_asc"`,
      ),
    );
    const both = new URLSearchParams([
      ['sort', 'price_asc'],
      ['facet', `${facet.key}:${value}`],
      ['facet', `${facet.key}:${other}`],
    ]);
    expect(html).toContain(
      `href="/en/c/${categorySlug}?${both.toString().replaceAll('&', '&amp;')}"`,
    );
    expect(html).toMatch(/<label for="sort">Sort by<\/label><select id="sort" name="sort">/);
    // Pagination is a plain link carrying the same filters and the API's opaque cursor.
    const next = new URLSearchParams([
      ['facet', `${facet.key}:${value}`],
      ['sort', 'price_asc'],
      ['cursor', RECORDED.productList.nextCursor!],
    ]);
    expect(html).toContain(
      `href="/en/c/${categorySlug}?${next.toString().replaceAll('&', '&amp;')}"`,
    );
    const query = api.queries.at(-1)!;
    expect(query.get('category')).toBe(categorySlug);
    expect(query.getAll('facet')).toEqual([`${facet.key}:${value}`]);
    expect(query.get('sort')).toBe('price_asc');
    expect(query.has('utm_source')).toBe(false);
  });

  it('a listing with an invalid filter is a 400 page, and the API is not asked', async () => {
    const before = api.queries.length;
    const response = await get(`/en/c/${categorySlug}?sort=id;DROP`);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('This link is not valid');
    expect(api.queries.length).toBe(before);
  });

  it('a product page shows the product, its variants and the price with VAT', async () => {
    const response = await get(`/en/p/${RECORDED.product.slug}`);
    const html = await response.text();
    expect(html).toContain(`<h1>${RECORDED.product.name}</h1>`);
    expect(html).toContain('VAT included');
    expect(response.status).toBe(200);
    const rows = [...html.matchAll(/<tr><th scope="row">/g)];
    expect(rows).toHaveLength(RECORDED.product.variants.length);
    const [first] = RECORDED.product.variants;
    const label = Object.entries(first!.options)
      .map(([name, value]) => `${name}: ${value}`)
      .join(', ');
    expect(html).toContain(`<th scope="row">${label}</th>`);
    expect(html).toContain(`€${(first!.price.amount / 100).toFixed(2)}`);
  });

  it('renders script payloads in catalogue data as text', async () => {
    const html = await (await get(`/en/p/${HOSTILE_SLUG}`)).text();
    expect(html).not.toContain('<script>window.__pwned');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>alert(document.cookie)');
    expect(html).toContain('&lt;/title&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(HOSTILE_NAME).toContain('<script>');
  });

  it.each([
    '/en/p/no-such-product',
    '/en/c/no-such-category',
    '/no/such/page',
    '/en/p/Not_A_Slug',
    '/de/c/shoes',
  ])('%s is a 404 page that looks like the shop', async (path) => {
    const response = await get(path);
    expect(response.status).toBe(404);
    const html = await response.text();
    expect(html).toContain('Page not found');
    expect(html).toContain('class="site-header"');
    expect(html).toContain('href="/en"');
  });
});

/** A raw response (no automatic decoding, unlike fetch): status, headers and the bytes sent. */
function raw(
  path: string,
  headers: Record<string, string>,
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}> {
  return new Promise((resolve, reject) => {
    httpGet(`${web.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

const decode = (encoding: unknown, body: Buffer): string =>
  (encoding === 'br'
    ? brotliDecompressSync(body)
    : encoding === 'gzip'
      ? gunzipSync(body)
      : body
  ).toString('utf8');

describe('compression: public pages and built files only (BREACH)', () => {
  it('compresses public pages as the browser asks (brotli, gzip, none), the same page once decoded', async () => {
    const productPage = `/fr/p/${RECORDED.product.slug}`;
    for (const [accept, expected] of [
      ['gzip, deflate, br, zstd', 'br'],
      ['gzip, br;q=0', 'gzip'],
      ['identity', undefined],
      ['', undefined],
    ] as const) {
      for (const path of [...PAGES, productPage, '/en/search?q=shirt']) {
        const response = await raw(path, { 'accept-encoding': accept });
        expect(response.status, path).toBe(200);
        expect(response.headers['content-encoding'], `${path} ${accept}`).toBe(expected);
        expect(response.headers['vary'], path).toContain('Accept-Encoding');
        const html = decode(expected, response.body);
        expect(html.startsWith('<!DOCTYPE html>'), path).toBe(true);
        expect(html).toContain(
          `nonce="${nonceOf(String(response.headers['content-security-policy']))}"`,
        );
      }
    }
  });

  it('never compresses a page that carries the session’s CSRF token, nor an error page', async () => {
    const productPage = `/fr/p/${RECORDED.product.slug}`;
    // With a session the product page's add-to-cart form carries the token: personal, no-store.
    const personal = await raw(productPage, {
      'accept-encoding': 'gzip, deflate, br',
      cookie: '__Host-sid=recorded-session',
    });
    expect(personal.status).toBe(200);
    expect(personal.headers['cache-control']).toBe('no-store');
    expect(personal.headers['content-encoding']).toBeUndefined();
    expect(personal.body.toString('utf8')).toContain(RECORDED_CSRF_TOKEN);
    // The same page without a session: public, no token, compressed.
    const anonymous = await raw(productPage, { 'accept-encoding': 'gzip, deflate, br' });
    expect(anonymous.headers['content-encoding']).toBe('br');
    expect(decode('br', anonymous.body)).not.toContain(RECORDED_CSRF_TOKEN);
    for (const path of ['/en/p/no-such-product', '/nowhere']) {
      const error = await raw(path, { 'accept-encoding': 'gzip, deflate, br' });
      expect(error.status, path).toBe(404);
      expect(error.headers['content-encoding'], path).toBeUndefined();
    }
  });

  it('compresses built scripts, styles and SVG once, identical once decoded; never the client-navigation data', async () => {
    const html = await (await get('/en')).text();
    const assets = [
      /href="(\/assets\/entry\.client-[^"]+\.js)"/.exec(html)?.[1],
      /href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1],
      '/favicon.svg',
    ];
    for (const path of assets) {
      expect(path).toBeDefined();
      const plain = await raw(path!, {});
      expect(plain.headers['content-encoding'], path).toBeUndefined();
      expect(plain.headers['vary'], path).toBe('Accept-Encoding');
      for (const [accept, encoding] of [
        ['gzip, deflate, br', 'br'],
        ['gzip', 'gzip'],
      ] as const) {
        const packed = await raw(path!, { 'accept-encoding': accept });
        expect(packed.headers['content-encoding'], path).toBe(encoding);
        expect(Number(packed.headers['content-length'])).toBe(packed.body.length);
        expect(decode(encoding, packed.body)).toBe(plain.body.toString('utf8'));
        expect(packed.body.length, path).toBeLessThan(plain.body.length);
      }
    }
    const data = await raw(`/en/c/${categorySlug}.data`, { 'accept-encoding': 'gzip, br' });
    expect(data.status).toBe(200);
    expect(data.headers['content-encoding']).toBeUndefined();
  });
});

describe('server', () => {
  it('answers the health check', async () => {
    const response = await get('/healthz');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
  });

  it('proxies /api/* to API_URL so the browser sees one origin', async () => {
    const response = await get('/api/categories');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(RECORDED.categories);
  });
});
