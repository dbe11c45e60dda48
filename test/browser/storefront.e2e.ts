import { expect, test, type Page } from '@playwright/test';
import { hydrated } from './support/page-problems';

/** What the page reported: console errors, uncaught exceptions and CSP / Trusted Types violations. */
interface PageProblems {
  errors: string[];
  violations: string[];
}

/** Records every console error, page error and `securitypolicyviolation` event of a page. */
async function watch(page: Page): Promise<PageProblems> {
  const problems: PageProblems = { errors: [], violations: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.errors.push(message.text());
  });
  page.on('pageerror', (error) => problems.errors.push(error.message));
  await page.exposeFunction('__reportViolation', (v: string) => problems.violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { __reportViolation(v: string): void }).__reportViolation(
        `${event.effectiveDirective} ${event.blockedURI}`,
      );
    });
  });
  return problems;
}

test('browse: home → category → facet → product → unknown product → home, hydrated, without a CSP or Trusted Types violation', async ({
  page,
}) => {
  const problems = await watch(page);
  await page.goto('/');
  await expect(page.locator('h1')).toHaveText('Welcome to the shop');
  await hydrated(page);
  await page.evaluate(() => {
    (window as unknown as { marker: number }).marker = 42;
  });
  const marker = () => page.evaluate(() => (window as unknown as { marker?: number }).marker);

  await page.locator('.category-list a').first().click();
  await expect(page).toHaveURL(/\/c\/[a-z-]+$/);
  await expect(page.locator('.facet-link').first()).toBeVisible();
  await page.locator('.facet-link').first().click();
  await expect(page).toHaveURL(/\?facet=/);
  await expect(page.locator('.facet-link.selected')).toHaveCount(1);

  await page.locator('.product-card a').first().click();
  await expect(page).toHaveURL(/\/p\//);
  await expect(page.getByText('VAT included')).toBeVisible();

  // A listed product that has been withdrawn: the client-side navigation renders the shop's 404.
  await page.goBack();
  await expect(page).toHaveURL(/\?facet=/);
  await page.getByRole('link', { name: /Withdrawn product/ }).click();
  await expect(page.locator('h1')).toHaveText('Page not found');
  await page.locator('.brand').click();
  await expect(page.locator('h1')).toHaveText('Welcome to the shop');

  // Every navigation above was client-side: the page was never reloaded.
  expect(await marker()).toBe(42);
  expect(problems.violations).toEqual([]);
  // The only console error is the browser noting the 404 of the missing product's data.
  expect(problems.errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
  expect(problems.errors.length).toBeLessThanOrEqual(1);
});

test('an injected inline script, a created script element and an HTML sink are all blocked', async ({
  page,
}) => {
  const problems = await watch(page);
  await page.goto('/');
  await hydrated(page);
  const outcome = await page.evaluate(() => {
    const attempt = (f: () => void) => {
      try {
        f();
        return 'ran';
      } catch (error) {
        return error instanceof TypeError ? 'blocked' : 'other';
      }
    };
    return {
      inlineText: attempt(() => {
        const s = document.createElement('script');
        s.textContent = 'window.pwned = 1';
        document.body.append(s);
      }),
      scriptSrc: attempt(() => {
        const s = document.createElement('script');
        s.src = '/assets/evil.js';
        document.body.append(s);
      }),
      innerHtml: attempt(() => {
        document.body.insertAdjacentHTML('beforeend', '<img src=x onerror="window.pwned=1">');
      }),
    };
  });
  expect(outcome).toEqual({ inlineText: 'blocked', scriptSrc: 'blocked', innerHtml: 'blocked' });
  expect(
    await page.evaluate(() => (window as unknown as { pwned?: number }).pwned),
  ).toBeUndefined();
  expect(problems.violations.length).toBeGreaterThanOrEqual(3);
});
