import { mkdirSync, writeFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { expectNoProblems, hydrated, watchProblems } from '../support/page-problems';

/**
 * The main pages as a visitor sees them, at a desktop and a phone width, on the whole shop (real
 * API and demo catalogue). Every run checks that each page renders without problems: its heading,
 * every image loaded, nothing wider than the screen, no console error, no CSP or Trusted Types
 * violation. With `UPDATE_SCREENSHOTS=1` it also writes the screenshots shown in the README
 * (docs/screenshots/*.png); otherwise it writes nothing, so a CI run never changes the tree.
 */

const WRITE = process.env.UPDATE_SCREENSHOTS === '1';
const OUT_DIR = new URL('../../../docs/screenshots/', import.meta.url);
/** Committed images stay small (the README loads them all). */
const MAX_BYTES = 150 * 1024;
/** The screenshots the README shows (every page is checked at both widths). */
const SHOWN = new Set([
  'home-desktop',
  'category-desktop',
  'product-desktop',
  'cart-desktop',
  'home-phone',
  'product-phone',
  'checkout-phone',
]);

const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

interface ListedProduct {
  slug: string;
  inStock: boolean;
  imageCount?: number;
}

/** The newest in-stock product of the demo catalogue (from the API, through the shop). */
async function showcaseProduct(page: Page): Promise<string> {
  const response = await page.request.get('/api/products?sort=newest');
  expect(response.ok()).toBe(true);
  const body = (await response.json()) as { items: ListedProduct[] };
  const product = body.items.find((p) => p.inStock);
  if (!product) throw new Error('no product in stock');
  return product.slug;
}

/**
 * Checks the page as it is now — hydrated, its `<h1>` shown, every image loaded, no horizontal
 * scrolling — and, when asked, writes its screenshot as docs/screenshots/<name>.png.
 */
async function capture(page: Page, name: string): Promise<void> {
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  // The header settles on "Sign in" once it knows the visitor is signed out.
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sign in' }),
  ).toBeVisible();
  await expect
    .poll(() =>
      page.evaluate(
        () => [...document.images].filter((img) => !img.complete || img.naturalWidth === 0).length,
      ),
    )
    .toBe(0);
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, `${name}: wider than the screen`).toBeLessThanOrEqual(0);
  const png = await page.screenshot({ animations: 'disabled', caret: 'hide' });
  if (WRITE && SHOWN.has(name)) {
    expect(png.length, `${name}.png is ${String(png.length)} bytes`).toBeLessThanOrEqual(MAX_BYTES);
    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(new URL(`${name}.png`, OUT_DIR), png);
  }
}

for (const [width, viewport] of Object.entries(VIEWPORTS)) {
  test.describe(`at ${width} width`, () => {
    test.use({ viewport, deviceScaleFactor: 1 });

    test('home, category, product, cart and checkout render without problems', async ({ page }) => {
      test.setTimeout(90_000);
      const problems = await watchProblems(page);
      const slug = await showcaseProduct(page);

      await page.goto('/en');
      await capture(page, `home-${width}`);
      const category = await page.locator('.category-list a').first().getAttribute('href');
      await page.goto(category ?? '/en');
      await expect(page.locator('.product-card').first()).toBeVisible();
      await capture(page, `category-${width}`);

      await page.goto(`/en/p/${slug}`);
      await capture(page, `product-${width}`);
      await page.getByRole('button', { name: 'Add to cart' }).click();
      await expect(page).toHaveURL(/\/en\/cart$/);
      await capture(page, `cart-${width}`);

      await page.getByRole('link', { name: 'Check out' }).click();
      await expect(page).toHaveURL(/\/en\/checkout$/);
      await capture(page, `checkout-${width}`);
      expectNoProblems(problems);
    });
  });
}
