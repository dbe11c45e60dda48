import AxeBuilder from '@axe-core/playwright';
import { expect as baseExpect, test, type Page } from '@playwright/test';
import * as OTPAuth from 'otpauth';
import { linkIn, waitForMail } from '../support/mailbox';
import {
  expectNoProblems,
  hydrated,
  watchProblems,
  type PageProblems,
} from '../support/page-problems';

/**
 * axe-core on every page type of the shop, on the whole stack (real API, database, SMTP listener,
 * development payment provider), in both languages where the page has them: catalogue pages,
 * search (results, none, empty), 404, cart (empty, filled), checkout (and its refusal), payment
 * (and a declined card), confirmation, the guest's emailed order link, and the account (register,
 * sign-in and a wrong password, password reset, email verification, second factor and a wrong
 * code, the signed-in pages: home, security, two-factor set-up and recovery codes, sessions,
 * addresses and a refused address, orders and an order). A page fails on any `serious` or
 * `critical` violation of a WCAG 2.0/2.1/2.2 level A or AA rule. Each page is audited once it is
 * hydrated (what a visitor with JavaScript meets; the server-rendered markup is the same).
 * Every journey also ends with no console error and no CSP or Trusted Types violation.
 */

// Patience, not a timing assertion: the shared 2-core machine can take seconds to hydrate a page.
const expect = baseExpect.configure({ timeout: 15_000 });
const WCAG_A_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];
const LANGS = ['en', 'fr'] as const;
const PASSWORD = 'a long walk by the quiet river 42';
const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${process.hrtime()[1]}@example.test`;

/** The pages audited by this file (printed at the end, so a reader sees what was covered). */
const audited: string[] = [];

/**
 * Runs axe on the page as it is now and records (softly: every page of a journey is audited and
 * reported) each serious or critical violation with the elements it concerns.
 */
async function audit(page: Page, what: string): Promise<void> {
  await hydrated(page);
  // The document's language is the page's (WCAG 3.1.1): screen readers pick their voice by it.
  const lang = /^\/(en|fr)(\/|$)/.exec(new URL(page.url()).pathname)?.[1];
  expect.soft(await page.locator('html').getAttribute('lang'), `lang of ${what}`).toBe(lang);
  const results = await new AxeBuilder({ page }).withTags(WCAG_A_AA).analyze();
  const blocking = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact ?? ''} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`,
    );
  audited.push(`${what} ${new URL(page.url()).pathname}`);
  expect.soft(blocking, `axe: ${what} (${page.url()})`).toEqual([]);
}

/** Opens `path`, waits for hydration and audits it. */
async function visit(page: Page, path: string, what: string): Promise<void> {
  await page.goto(path);
  await audit(page, what);
}

/** Lets a form be submitted with its required fields empty, as a browser without validation does. */
async function withoutBrowserValidation(page: Page, form: string): Promise<void> {
  await page.locator(form).evaluate((el) => {
    (el as HTMLFormElement).noValidate = true;
  });
}

interface ListedProduct {
  slug: string;
  name: string;
  inStock: boolean;
}

/** In-stock products of the demo catalogue, cheapest first (from the API, through the shop). */
async function inStockProducts(page: Page): Promise<ListedProduct[]> {
  const response = await page.request.get('/api/products?sort=price_asc');
  expect(response.ok()).toBe(true);
  const body = (await response.json()) as { items: ListedProduct[] };
  return body.items.filter((p) => p.inStock);
}

/** A TOTP code of `secret`, `stepsAhead` periods from now (the API accepts one step of drift). */
function totp(secret: string, stepsAhead = 0): string {
  return new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    digits: 6,
    period: 30,
  }).generate({ timestamp: Date.now() + stepsAhead * 30_000 });
}

/** Fails on console errors other than the failed loads of the statuses a refusal answers with. */
function expectOnlyRefusals(problems: PageProblems, statuses: number[]): void {
  const expected = new RegExp(`status of (${statuses.join('|')}) `);
  problems.errors = problems.errors.filter((e) => !expected.test(e));
  expectNoProblems(problems);
}

test.describe('at a phone’s width', () => {
  test.use({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });

  test('home, category, product, cart and checkout', async ({ page }) => {
    test.setTimeout(90_000);
    const problems = await watchProblems(page);
    const [product] = await inStockProducts(page);
    if (!product) throw new Error('no product in stock');
    await visit(page, '/en', 'home (en, phone)');
    const category = (await page.locator('.category-list a').first().getAttribute('href')) ?? '';
    await visit(page, category, 'category (en, phone)');
    await visit(page, `/fr/p/${product.slug}`, 'product (fr, phone)');
    await page.locator('form.cart-add button[type="submit"]').click();
    await expect(page).toHaveURL(/\/fr\/cart$/);
    await audit(page, 'cart (fr, phone)');
    await visit(page, '/en/checkout', 'checkout (en, phone)');
    await visit(page, '/en/account/sign-in', 'sign-in (en, phone)');
    expectNoProblems(problems);
  });
});

test.afterAll(() => {
  console.log(`axe audited ${String(audited.length)} pages:\n  ${audited.join('\n  ')}`);
});

test('catalogue pages, search and the 404 page in English and French', async ({ page }) => {
  test.setTimeout(120_000);
  const problems = await watchProblems(page);
  const [product] = await inStockProducts(page);
  if (!product) throw new Error('no product in stock');
  for (const lang of LANGS) {
    await visit(page, `/${lang}`, `home (${lang})`);
    const category = (await page.locator('.category-list a').first().getAttribute('href')) ?? '';
    await visit(page, category, `category (${lang})`);
    await visit(page, `/${lang}/p/${product.slug}`, `product (${lang})`);
    const word = product.name.split(/\s+/)[0] ?? 'a';
    await visit(page, `/${lang}/search?q=${encodeURIComponent(word)}`, `search results (${lang})`);
    await visit(page, `/${lang}/search?q=zzqxjvw`, `search without results (${lang})`);
    await visit(page, `/${lang}/search`, `search without terms (${lang})`);
    await visit(page, `/${lang}/no-such-page`, `404 (${lang})`);
  }
  // The 404 documents are the only failed loads.
  expectOnlyRefusals(problems, [404]);
});

/**
 * Fills the checkout form by field name (the same in both languages) and submits it; `email` for
 * a guest (a signed-in customer's form has no email field).
 */
async function fillCheckout(page: Page, email?: string): Promise<void> {
  if (email) await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="fullName"]').fill('Ada Lovelace');
  await page.locator('input[name="line1"]').fill('12 rue des Tests');
  await page.locator('input[name="postalCode"]').fill('75011');
  await page.locator('input[name="city"]').fill('Paris');
  await page.locator('select[name="country"]').selectOption('FR');
  await page.locator('input[name="shippingMethod"]').first().check();
  await page.locator('form.checkout-form button[type="submit"]').click();
}

for (const lang of LANGS) {
  test(`cart, checkout and its refusal, payment and a declined card, confirmation, guest order link (${lang})`, async ({
    page,
  }) => {
    test.setTimeout(120_000);
    const problems = await watchProblems(page);
    const [product] = await inStockProducts(page);
    if (!product) throw new Error('no product in stock');

    await visit(page, `/${lang}/cart`, `empty cart (${lang})`);
    await page.goto(`/${lang}/p/${product.slug}`);
    await hydrated(page);
    await page.locator('form.cart-add button[type="submit"]').click();
    await expect(page).toHaveURL(new RegExp(`/${lang}/cart$`));
    await audit(page, `cart (${lang})`);

    await visit(page, `/${lang}/checkout`, `checkout (${lang})`);
    await withoutBrowserValidation(page, 'form.checkout-form');
    await page.locator('form.checkout-form button[type="submit"]').click();
    await expect(page.locator('[aria-invalid="true"]').first()).toBeVisible();
    await audit(page, `checkout refused: missing fields (${lang})`);

    const email = uniqueEmail(`a11y-${lang}`);
    await fillCheckout(page, email);
    await expect(page).toHaveURL(new RegExp(`/${lang}/checkout/[0-9a-f-]{36}/pay$`));
    await audit(page, `payment (${lang})`);
    await page.locator('input[name="paymentMethod"]').nth(1).check();
    await page.locator('form.payment-form button[type="submit"]').click();
    await expect(page.getByRole('alert')).toBeVisible();
    await audit(page, `payment refused: declined card (${lang})`);
    await page.locator('input[name="paymentMethod"]').first().check();
    await page.locator('form.payment-form button[type="submit"]').click();
    await expect(page).toHaveURL(new RegExp(`/${lang}/orders/[0-9a-f-]{36}/confirmation$`));
    await expect(page.locator('.order-status')).toBeVisible();
    await audit(page, `order confirmation (${lang})`);

    const mail = await waitForMail(email, /./);
    const link = linkIn(mail, '/orders/view');
    await page.context().clearCookies();
    await page.goto(new URL(`${link.pathname}${link.hash}`, page.url()).toString());
    await expect(page.locator('.order-facts dd').first()).toBeVisible();
    await audit(page, `guest order from the emailed link (${lang})`);
    // The refused checkout (422) and the declined card (402) are logged by Chromium as failed loads.
    expectOnlyRefusals(problems, [400, 402]);
  });
}

test('account pages: register, sign-in and its refusal, reset, verification, second factor, signed-in pages', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const problems = await watchProblems(page);
  for (const lang of LANGS) {
    await visit(page, `/${lang}/account/sign-in`, `sign-in (${lang})`);
    await page.locator('input[name="email"]').fill(uniqueEmail('nobody'));
    await page.locator('input[name="password"]').fill('not the right password 1');
    await page.locator('main form button[type="submit"]').last().click();
    await expect(page.getByRole('alert')).toBeVisible();
    await audit(page, `sign-in refused: wrong password (${lang})`);
    await visit(page, `/${lang}/account/register`, `register (${lang})`);
    await visit(page, `/${lang}/account/forgot-password`, `forgot password (${lang})`);
    await visit(page, `/${lang}/account/reset-password`, `reset password (${lang})`);
  }

  // Register (a refusal first), then open the emailed link.
  const email = uniqueEmail('a11y-account');
  await page.goto('/en/account/register');
  await hydrated(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill('short');
  await withoutBrowserValidation(page, 'main form');
  await page.getByRole('button', { name: 'Create my account' }).click();
  await expect(page.locator('[aria-invalid="true"]').first()).toBeVisible();
  await audit(page, 'register refused: short password (en)');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create my account' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your inbox');
  await audit(page, 'register: check your inbox (en)');
  const mail = await waitForMail(email, /Confirm your email address/);
  await page.goto(linkIn(mail, '/en/account/verify-email').toString());
  await hydrated(page);
  await expect(page.getByRole('status')).toContainText('Your email address is confirmed');
  await audit(page, 'email verified (en)');

  // Signed in.
  await page.goto('/en/account/sign-in');
  await hydrated(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/en\/account$/);
  await audit(page, 'account home (en)');
  for (const lang of LANGS) {
    await visit(page, `/${lang}/account/security`, `sign-in & security (${lang})`);
    await visit(page, `/${lang}/account/sessions`, `sessions (${lang})`);
    await visit(page, `/${lang}/account/addresses`, `addresses (${lang})`);
    await visit(page, `/${lang}/account/orders`, `orders (${lang})`);
  }
  await visit(page, '/fr/account', 'account home (fr)');

  // An order of this customer: the list with a row, and the order's page.
  const [product] = await inStockProducts(page);
  if (!product) throw new Error('no product in stock');
  await page.goto(`/en/p/${product.slug}`);
  await hydrated(page);
  await page.locator('form.cart-add button[type="submit"]').click();
  await expect(page).toHaveURL(/\/en\/cart$/);
  await page.goto('/en/checkout');
  await hydrated(page);
  await fillCheckout(page);
  await expect(page).toHaveURL(/\/en\/checkout\/[0-9a-f-]{36}\/pay$/);
  await hydrated(page);
  await page.locator('form.payment-form button[type="submit"]').click();
  await expect(page.locator('.order-status')).toBeVisible();
  await visit(page, '/en/account/orders', 'orders with an order (en)');
  await page.locator('.orders-table a').first().click();
  await expect(page).toHaveURL(/\/en\/account\/orders\/[0-9a-f-]{36}$/);
  await audit(page, 'an order (en)');
  await page.goto('/en/account/addresses');
  await hydrated(page);
  await withoutBrowserValidation(page, 'form.address-form');
  await page.getByRole('button', { name: 'Save the address' }).click();
  await expect(page.locator('[aria-invalid="true"]').first()).toBeVisible();
  await audit(page, 'address refused: missing fields (en)');

  // Two-step verification: the set-up page with its QR code, then the recovery codes.
  await visit(page, '/en/account/two-factor', 'two-factor set-up (en)');
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  await audit(page, 'two-factor QR code (en)');
  const secret = ((await page.locator('.totp-secret').textContent()) ?? '').replace(/\s/g, '');
  await page.getByLabel('Code shown by the app').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
  await expect(page.locator('.recovery-codes li')).toHaveCount(10);
  await audit(page, 'recovery codes (en)');

  // Signed out, then the second-factor page and a wrong code.
  await page.goto('/en/account');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/en\/account\/sign-in\?signedOut=1$/);
  await audit(page, 'signed out (en)');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/en\/account\/sign-in\/second-factor/);
  await audit(page, 'second factor (en)');
  const wrong = ['000000', '111111'].find((c) => ![-1, 0, 1].some((s) => totp(secret, s) === c));
  await page.getByLabel('Code', { exact: true }).fill(wrong ?? '');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await audit(page, 'second factor refused: wrong code (en)');
  // The refused sign-ins and registration answer 4xx, logged by Chromium as failed loads.
  expectOnlyRefusals(problems, [400, 401, 422]);
});
