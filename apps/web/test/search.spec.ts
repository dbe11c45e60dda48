import { ProductListSchema, type CategoryNode } from '@storefront/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The search page and the sitemap on the real shop: seeded PostgreSQL catalogue, the built API
 * (full-text search, its search rate limit) and the built web server. The API trusts one proxy
 * hop here, so each test speaks as its own visitor through `X-Forwarded-For`, which the web
 * server forwards with the search: only the rate-limit test exhausts its visitor's allowance.
 */

/** The part of test/support/full-stack.mjs (plain JavaScript) used here. */
interface FullStack {
  webUrl: string;
  apiUrl: string;
  stop(): Promise<void>;
}
type StartFullStack = (options: {
  name: string;
  apiEnv?: Record<string, string>;
}) => Promise<FullStack>;
const FULL_STACK = new URL('../../../test/support/full-stack.mjs', import.meta.url).href;

const SEARCH_LIMIT = 5;
let stack: FullStack;

beforeAll(async () => {
  const { startFullStack } = (await import(FULL_STACK)) as { startFullStack: StartFullStack };
  stack = await startFullStack({
    name: 'web_search_spec',
    apiEnv: { TRUST_PROXY_HOPS: '1', RATE_LIMIT_SEARCH: `${String(SEARCH_LIMIT)}/60` },
  });
}, 180_000);

afterAll(async () => {
  await (stack as FullStack | undefined)?.stop();
});

let visitors = 0;
/** A fresh visitor address (TEST-NET-3), i.e. a fresh search allowance. */
function visitor(): string {
  visitors += 1;
  return `203.0.113.${String(visitors)}`;
}

const search = (query: string, from: string) =>
  fetch(`${stack.webUrl}/en/search${query}`, {
    redirect: 'manual',
    headers: { 'x-forwarded-for': from },
  });

const decode = (text: string) =>
  text
    .replaceAll('&quot;', '"')
    .replaceAll('&#x27;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

const productLinks = (html: string) =>
  [...html.matchAll(/<a href="\/en\/p\/([a-z0-9-]+)"/g)].map((m) => m[1]);

/** The API's own answer to a search (the test process is yet another visitor). */
async function apiSearch(query: string) {
  const response = await fetch(`${stack.apiUrl}/api/products?${query}`, {
    headers: { 'x-forwarded-for': visitor() },
  });
  expect(response.status).toBe(200);
  return ProductListSchema.parse(await response.json());
}

describe('search results', () => {
  it('lists the API’s matches in relevance order, with count, sort and noindex', async () => {
    const response = await search('?q=linen', visitor());
    expect(response.status).toBe(200);
    expect(response.headers.get('x-robots-tag')).toBe('noindex');
    expect(response.headers.get('cache-control')).toBe('private, no-cache');
    const html = await response.text();
    const expected = await apiSearch('q=linen');
    expect(expected.total).toBeGreaterThan(0);
    expect(expected.sort).toBe('relevance');
    expect(productLinks(html)).toEqual(expected.items.map((p) => p.slug));
    expect(html).toContain('<h1>Search results for “linen”</h1>');
    expect(html).toContain(`${String(expected.total)} results for “linen”`);
    expect(html).toContain('<meta name="robots" content="noindex, follow"/>');
    expect(html).not.toContain('rel="canonical"');
    expect(html).toMatch(/<option value="relevance" selected="">Relevance<\/option>/);
    expect(html).toContain('<input type="hidden" name="q" value="linen"/>');
  });

  it('facets, sort and pagination keep the search terms', async () => {
    const from = visitor();
    const html = await (await search('?q=linen', from)).text();
    const facetHref = decode(/<a class="facet-link"[^>]*href="([^"]+)"/.exec(html)![1]!);
    const facetUrl = new URL(facetHref, stack.webUrl);
    expect(facetUrl.pathname).toBe('/en/search');
    expect(facetUrl.searchParams.get('q')).toBe('linen');
    const facet = facetUrl.searchParams.get('facet')!;
    const filtered = await (await search(facetUrl.search, from)).text();
    const expected = await apiSearch(new URLSearchParams({ q: 'linen', facet }).toString());
    expect(productLinks(filtered)).toEqual(expected.items.map((p) => p.slug));
    expect(filtered).toContain('class="facet-link selected"');

    const next = /<a [^>]*rel="next"[^>]*>/.exec(html)?.[0];
    expect(next, 'a search for linen has more than one page').not.toBeNull();
    const nextUrl = new URL(decode(/href="([^"]+)"/.exec(next!)![1]!), stack.webUrl);
    expect(nextUrl.searchParams.get('q')).toBe('linen');
    expect(nextUrl.searchParams.get('cursor')).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = await (await search(nextUrl.search, from)).text();
    expect(productLinks(second).length).toBeGreaterThan(0);
    expect(productLinks(second).some((slug) => productLinks(html).includes(slug))).toBe(false);
  });

  it('an empty search shows the form and categories to browse, without asking the API to search', async () => {
    for (const query of ['', '?q=', '?q=%20%20']) {
      const response = await search(query, visitor());
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toContain('<h1>Search</h1>');
      expect(html).toContain('Type what you are looking for');
      expect(html).toMatch(/<h2 id="search-suggestions-title">Or browse a category<\/h2>/);
      expect(html).toMatch(/<a href="\/en\/c\/[a-z0-9-]+"/);
      expect(html).toContain('<meta name="robots" content="noindex, follow"/>');
    }
  });

  it('no results: says so and suggests the top categories', async () => {
    const response = await search('?q=zzqxvjk', visitor());
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<h1>No results for “zzqxvjk”</h1>');
    expect(html).toContain('Check the spelling');
    const suggestions = html.slice(html.indexOf('id="search-suggestions-title"'));
    const suggested = [...suggestions.matchAll(/<a href="\/en\/c\/([a-z0-9-]+)"/g)].map(
      (m) => m[1],
    );
    const tree = (await (await fetch(`${stack.apiUrl}/api/categories`)).json()) as {
      items: CategoryNode[];
    };
    const top = [...tree.items].sort((a, b) => b.productCount - a.productCount).slice(0, 8);
    expect(suggested).toEqual(top.map((c) => c.slug));
    expect(productLinks(html)).toEqual([]);
  });

  /** The terms as React writes them in text and attributes. */
  const escaped = (terms: string) =>
    terms
      .replaceAll('&', '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      .replaceAll('"', '&quot;')
      .replaceAll("'", '&#x27;');

  it.each(['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>'])(
    'renders markup in the terms (%s) as text, never as markup',
    async (payload) => {
      const response = await search(`?q=${encodeURIComponent(payload)}`, visitor());
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).not.toContain(payload);
      expect(html).toContain(
        `<title>Search results for “${escaped(payload)}” — Storefront</title>`,
      );
      expect(html).toContain(`<h1>No results for “${escaped(payload)}”</h1>`);
      expect(html).toContain(`value="${escaped(payload)}"`);
    },
  );

  it.each(["'; DROP TABLE product; --", '!(&|:*<-> \\ "unclosed'])(
    'search syntax or SQL in the terms (%s) is only text to search for',
    async (payload) => {
      const response = await search(`?q=${encodeURIComponent(payload)}`, visitor());
      expect(response.status).toBe(200);
      expect(await response.text()).toContain(
        `<title>Search results for “${escaped(payload)}” — Storefront</title>`,
      );
    },
  );

  it('terms longer than the API accepts get a 400 page that says so', async () => {
    const response = await search(`?q=${'x'.repeat(101)}`, visitor());
    expect(response.status).toBe(400);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.text()).toContain('Please use at most 100 characters.');
  });

  it('invalid listing parameters are the 400 page', async () => {
    const response = await search('?q=linen&sort=id;DROP', visitor());
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('This link is not valid');
  });
});

describe('search rate limit (RATE_LIMIT_SEARCH)', () => {
  it('a visitor over the limit gets a friendly 429 page, not a 502; other visitors still search', async () => {
    const from = visitor();
    for (let i = 0; i < SEARCH_LIMIT; i += 1) {
      const response = await search(`?q=wool+${String(i)}`, from);
      expect(response.status).toBe(200);
      await response.text();
    }
    const refused = await search('?q=wool', from);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(refused.headers.get('content-security-policy')).toContain("script-src 'nonce-");
    const html = await refused.text();
    expect(html).toContain('<h1>Too many searches</h1>');
    expect(html).toContain('Please wait a minute');
    expect(html).toContain('class="site-header"');
    expect(html).not.toContain('Something went wrong');

    expect((await search('?q=wool', visitor())).status).toBe(200);
  });
});

describe('sitemap.xml over the real catalogue', () => {
  it('walks every page of the API: every category and every product, in both languages', async () => {
    const response = await fetch(`${stack.webUrl}/sitemap.xml`);
    expect(response.status).toBe(200);
    const xml = await response.text();
    const locs = [...xml.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => m[1]!);
    const { total } = await apiSearch('limit=1');
    expect(total).toBeGreaterThan(2_000);
    for (const lang of ['en', 'fr']) {
      const products = locs.filter((l) => l.startsWith(`${stack.webUrl}/${lang}/p/`));
      expect(new Set(products).size).toBe(total);
    }
    const tree = (await (await fetch(`${stack.apiUrl}/api/categories`)).json()) as {
      items: CategoryNode[];
    };
    const count = (nodes: CategoryNode[]): number =>
      nodes.reduce((n, node) => n + 1 + count(node.children), 0);
    expect(locs.filter((l) => l.includes('/c/'))).toHaveLength(2 * count(tree.items));
    expect(xml.match(/<xhtml:link /g)).toHaveLength(3 * locs.length);
  });
});
