import { expect, test, type Page } from '@playwright/test';
import pg from 'pg';
import { expectNoProblems, hydrated, watchProblems } from '../support/page-problems';

/**
 * Structured data and page metadata under the shop's real CSP and Trusted Types, on the whole
 * shop (test/browser/start-full-stack.mjs). JSON-LD is written on client-side navigations through
 * the one Trusted Types policy the CSP allows (`storefront-jsonld`): these journeys prove it works
 * with zero violations, that catalogue data cannot escape it, and that no other policy can be made.
 */

/** The JSON-LD documents currently in the page. */
function jsonLd(page: Page): Promise<{ raw: string; value: Record<string, unknown> }[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('script[type="application/ld+json"]')].map((s) => ({
      raw: s.textContent,
      value: JSON.parse(s.textContent) as Record<string, unknown>,
    })),
  );
}

const ofType = (docs: { value: Record<string, unknown> }[], type: string) =>
  docs.filter((d) => d.value['@type'] === type).map((d) => d.value);

/** Marks the document; the mark survives only client-side navigations. */
async function markDocument(page: Page): Promise<() => Promise<unknown>> {
  await page.evaluate(() => {
    (window as unknown as { marker: number }).marker = 42;
  });
  return () => page.evaluate(() => (window as unknown as { marker?: number }).marker);
}

test('client-side navigation writes each page’s JSON-LD and metadata, with zero Trusted Types violations', async ({
  page,
}) => {
  const problems = await watchProblems(page);
  await page.goto('/en');
  await hydrated(page);
  const marker = await markDocument(page);
  // After hydration the home page's structured data is still there (now written by the policy).
  await expect.poll(async () => ofType(await jsonLd(page), 'WebSite')).toHaveLength(1);

  await page.locator('.category-list a').first().click();
  await expect(page).toHaveURL(/\/en\/c\/[a-z0-9-]+$/);
  await expect(page.locator('.breadcrumb [aria-current="page"]')).toBeVisible();
  const categoryName = (await page.locator('h1').textContent()) ?? '';
  await expect
    .poll(async () => {
      const [crumbs] = ofType(await jsonLd(page), 'BreadcrumbList');
      return (crumbs?.itemListElement as { name: string }[] | undefined)?.at(-1)?.name;
    })
    .toBe(categoryName);
  expect(ofType(await jsonLd(page), 'WebSite')).toEqual([]);

  for (const index of [0, 1]) {
    const name = (await page.locator('.product-card .product-name').nth(index).textContent()) ?? '';
    await page.locator('.product-card a').nth(index).click();
    await expect(page).toHaveURL(/\/en\/p\/[a-z0-9-]+$/);
    await expect(page.locator('h1')).toHaveText(name);
    await expect
      .poll(async () => ofType(await jsonLd(page), 'Product').map((p) => p.name))
      .toEqual([name]);
    const docs = await jsonLd(page);
    const [product] = ofType(docs, 'Product');
    const url = new URL(page.url());
    expect(product).toMatchObject({ '@context': 'https://schema.org', url: url.href });
    expect((product!.offers as unknown[]).length).toBeGreaterThan(0);
    expect(ofType(docs, 'BreadcrumbList')).toHaveLength(1);
    for (const doc of docs) expect(doc.raw).not.toMatch(/[<>&]/);
    // The head follows the page: canonical, alternates and Open Graph of this product.
    await expect(page.locator('link[rel="canonical"]')).toHaveAttribute('href', url.href);
    await expect(page.locator('link[rel="alternate"][hreflang="fr"]')).toHaveAttribute(
      'href',
      url.href.replace('/en/p/', '/fr/p/'),
    );
    await expect(page.locator('meta[property="og:type"]')).toHaveAttribute('content', 'product');
    await expect(page.locator('meta[property="og:image"]')).toHaveAttribute(
      'content',
      /^http:\/\/localhost:\d+\/media\/demo\/[a-z0-9-]+-1\.svg$/,
    );
    await page.goBack();
    await expect(page).toHaveURL(/\/en\/c\/[a-z0-9-]+$/);
  }

  expect(await marker()).toBe(42);
  expectNoProblems(problems);
});

test('no other Trusted Types policy can be created, nor a second storefront-jsonld', async ({
  page,
}) => {
  const problems = await watchProblems(page);
  await page.goto('/en');
  await hydrated(page);
  const outcome = await page.evaluate(() => {
    const factory = (
      window as unknown as {
        trustedTypes: { createPolicy(name: string, rules: object): unknown };
      }
    ).trustedTypes;
    const attempt = (name: string) => {
      try {
        factory.createPolicy(name, {
          createScript: (s: string) => s,
          createHTML: (s: string) => s,
        });
        return 'created';
      } catch {
        return 'refused';
      }
    };
    return {
      jsonLdAgain: attempt('storefront-jsonld'),
      default: attempt('default'),
      other: attempt('anything-else'),
    };
  });
  expect(outcome).toEqual({ jsonLdAgain: 'refused', default: 'refused', other: 'refused' });
  // Exactly these three refusals were reported (violation events arrive asynchronously); then
  // nothing else may have gone wrong.
  await expect.poll(() => problems.violations.length).toBe(3);
  expect(problems.violations).toEqual([
    'trusted-types trusted-types-policy',
    'trusted-types trusted-types-policy',
    'trusted-types trusted-types-policy',
  ]);
  expect(problems.errors).toHaveLength(3);
  for (const error of problems.errors) expect(error).toMatch(/Trusted ?Type/i);
  problems.violations.length = 0;
  problems.errors.length = 0;
  expectNoProblems(problems);
});

/** A product whose name and description carry script payloads, written as a back office would. */
async function insertHostileProduct(): Promise<{ slug: string; name: string; word: string }> {
  const word = `quokka${Date.now()
    .toString(36)
    .replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]!)}`;
  const slug = `hostile-${word}`;
  const name = `${word} </script><script>alert(1)</script>`;
  // The shop stack's database (start-full-stack.mjs names it web_e2e_shop).
  const url = new URL(
    process.env.E2E_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  );
  url.pathname = '/web_e2e_shop';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO product (category_id, slug, name, brand, description, price_from, price_to,
                            in_stock, published_at)
       SELECT id, $1, $2, $3, $4, 4200, 4200, true, '2001-01-01' FROM category
        WHERE slug = 'women-dresses'
       RETURNING id`,
      [slug, name, '<img src=x onerror=alert(2)>', '"><script>alert(document.cookie)</script>'],
    );
    const id = rows[0]!.id;
    await client.query(
      `INSERT INTO product_variant (product_id, sku, options, price_amount, vat_rate_bp, stock)
       VALUES ($1, $2, '{}', 4200, 2000, 7)`,
      [id, `HOSTILE-${word.toUpperCase()}`],
    );
    await client.query(
      `INSERT INTO product_image (product_id, url, alt, position)
       VALUES ($1, '/media/demo/women-dresses-1.svg', $2, 0)`,
      [id, `${name}"><script>alert(3)</script>`],
    );
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
  return { slug, name, word };
}

test('a script payload in a product name stays inside the JSON-LD, on client-side navigation and on a fresh load', async ({
  page,
}) => {
  const hostile = await insertHostileProduct();
  const problems = await watchProblems(page);
  page.on('dialog', (dialog) => {
    problems.errors.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto('/en');
  await hydrated(page);
  const marker = await markDocument(page);

  // Found through the header's search form, then opened: both client-side navigations.
  await page.locator('#site-search-q').fill(hostile.word);
  await page.locator('#site-search-q').press('Enter');
  await expect(page).toHaveURL(new RegExp(`/en/search\\?q=${hostile.word}$`));
  await expect(page.locator('.product-card .product-name')).toHaveText([hostile.name]);
  await page.locator('.product-card a').first().click();
  await expect(page).toHaveURL(new RegExp(`/en/p/${hostile.slug}$`));
  await expect(page.locator('h1')).toHaveText(hostile.name);

  const check = async () => {
    await expect
      .poll(async () => ofType(await jsonLd(page), 'Product').map((p) => p.name))
      .toEqual([hostile.name]);
    const docs = await jsonLd(page);
    for (const doc of docs) {
      expect(doc.raw).not.toMatch(/[<>&]/);
      expect(doc.raw).toContain('\\u003c/script\\u003e');
    }
    expect(ofType(docs, 'Product')[0]!.brand).toEqual({
      '@type': 'Brand',
      name: '<img src=x onerror=alert(2)>',
    });
    // No element came out of the data: no extra script, no image with an error handler.
    expect(await page.locator('img[onerror]').count()).toBe(0);
    expect(
      await page.evaluate(
        () =>
          [...document.scripts].filter(
            (s) => s.type !== 'application/ld+json' && /^\s*alert\(/.test(s.textContent),
          ).length,
      ),
    ).toBe(0);
  };
  await check();
  expect(await marker()).toBe(42);

  // The same page loaded afresh: the server-rendered JSON-LD is just as inert.
  await page.reload();
  await hydrated(page);
  await check();
  expectNoProblems(problems);
});

test('product images keep their space before they arrive (no layout shift), with alt texts', async ({
  page,
}) => {
  const problems = await watchProblems(page);
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route('**/media/demo/**', async (route) => {
    await released;
    await route.continue();
  });
  await page.goto('/en');
  const href = await page.locator('.product-card a').first().getAttribute('href');
  await page.goto(href!, { waitUntil: 'domcontentloaded' });
  const main = page.locator('.product-gallery li.main img');
  await expect(main).toHaveAttribute('alt', /, view 1$/);
  // The picture has not arrived, yet its square box is already laid out.
  const box = await main.evaluate((img: HTMLImageElement) => ({
    complete: img.complete && img.naturalWidth > 0,
    width: img.getBoundingClientRect().width,
    height: img.getBoundingClientRect().height,
  }));
  expect(box.complete).toBe(false);
  expect(box.width).toBeGreaterThan(100);
  expect(box.height).toBe(box.width);
  await expect(page.locator('.product-gallery li.view img').first()).toHaveAttribute(
    'loading',
    'lazy',
  );
  release();
  await expect
    .poll(() => main.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0))
    .toBe(true);
  const after = await main.evaluate((img: HTMLImageElement) => img.getBoundingClientRect().height);
  expect(after).toBe(box.height);
  expectNoProblems(problems);
});

test('sitemap.xml is well-formed XML (the browser’s parser) listing both languages; robots.txt points to it', async ({
  page,
}) => {
  const problems = await watchProblems(page);
  await page.goto('/en');
  const result = await page.evaluate(async () => {
    // Parsed by the browser's XML parser (an XHR document: DOMParser is a Trusted Types sink).
    const doc = await new Promise<Document>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('GET', '/sitemap.xml');
      xhr.responseType = 'document';
      xhr.onload = () => {
        if (xhr.responseXML) resolve(xhr.responseXML);
        else reject(new Error('not an XML document'));
      };
      xhr.onerror = () => {
        reject(new Error('request failed'));
      };
      xhr.send();
    });
    const ns = 'http://www.sitemaps.org/schemas/sitemap/0.9';
    const locs = [...doc.getElementsByTagNameNS(ns, 'loc')].map((l) => l.textContent);
    const alternates = doc.getElementsByTagNameNS('http://www.w3.org/1999/xhtml', 'link').length;
    const robots = await (await fetch('/robots.txt')).text();
    return {
      parseError: doc.getElementsByTagName('parsererror').length,
      root: doc.documentElement.localName,
      locs,
      alternates,
      robots,
    };
  });
  expect(result.parseError).toBe(0);
  expect(result.root).toBe('urlset');
  const origin = new URL(page.url()).origin;
  expect(result.locs).toContain(`${origin}/en`);
  expect(result.locs).toContain(`${origin}/fr`);
  const en = result.locs.filter((l) => l.startsWith(`${origin}/en/p/`)).length;
  const fr = result.locs.filter((l) => l.startsWith(`${origin}/fr/p/`)).length;
  expect(en).toBeGreaterThan(2_000);
  expect(fr).toBe(en);
  expect(result.alternates).toBe(3 * result.locs.length);
  expect(result.robots).toContain(`Sitemap: ${origin}/sitemap.xml`);
  expectNoProblems(problems);
});
