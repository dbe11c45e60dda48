import { expect, test, type Locator, type Page } from '@playwright/test';
import { linkIn, waitForMail } from '../support/mailbox';
import { expectNoProblems, hydrated, watchProblems } from '../support/page-problems';

/**
 * The money path in Chromium with JavaScript, on the whole shop (real API and database, the
 * development payment provider, the SMTP listener): browse → search → product → cart → checkout
 * as a guest → payment → confirmation, a declined card, and the same purchase with the keyboard
 * only. Every journey ends with no console error and no CSP or Trusted Types violation.
 */

const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${process.hrtime()[1]}@example.test`;

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

/** Fills the guest checkout form (labels as a person reads them) and submits it. */
async function fillCheckout(page: Page, email: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Full name').fill('Ada Lovelace');
  await page.getByLabel('Address', { exact: true }).fill('12 rue des Tests');
  await page.getByLabel('Postal code').fill('75011');
  await page.getByLabel('City').fill('Paris');
  await page.getByLabel('Country').selectOption('FR');
  await page.getByRole('radio', { name: /^Standard delivery/ }).check();
  await page.getByRole('button', { name: 'Continue to payment' }).click();
}

/** Adds one unit of the product to the cart from its page; ends on the cart page. */
async function addToCart(page: Page, slug: string): Promise<void> {
  await page.goto(`/en/p/${slug}`);
  await hydrated(page);
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page).toHaveURL(/\/en\/cart$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your cart');
}

const PAY_PAGE = /\/en\/checkout\/([0-9a-f-]{36})\/pay$/;

test('browse → search → product → cart (quantity, refused code) → guest checkout → paid', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const problems = await watchProblems(page);
  const [product] = await inStockProducts(page);
  if (!product) throw new Error('no product in stock');

  await page.goto('/en');
  await hydrated(page);
  await page.getByLabel('Search the shop').fill(product.name);
  await page.getByLabel('Search the shop').press('Enter');
  await expect(page).toHaveURL(/\/en\/search\?q=/);
  await page.locator(`main a[href="/en/p/${product.slug}"]`).click();
  await expect(page).toHaveURL(new RegExp(`/en/p/${product.slug}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(product.name);

  await page.getByLabel('Quantity', { exact: true }).fill('1');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page).toHaveURL(/\/en\/cart$/);
  const quantity = page.getByLabel(`Quantity of ${product.name}`);
  await expect(quantity).toHaveValue('1');
  const subtotal = page.locator('.cart-totals div').filter({ hasText: 'Subtotal' }).locator('dd');
  const single = await subtotal.textContent();

  await quantity.fill('2');
  await page.getByRole('button', { name: 'Update', exact: true }).click();
  await expect(page.getByLabel(`Quantity of ${product.name}`)).toHaveValue('2');
  await expect(subtotal).not.toHaveText(single ?? '');

  await page.getByLabel('Code', { exact: true }).fill('NOT-A-REAL-CODE-0000');
  await page.getByRole('button', { name: 'Apply' }).click();
  const code = page.getByLabel('Code', { exact: true });
  await expect(code).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#coupon-code-error')).toHaveText('This code cannot be applied.');
  // The refusal is a 422 (as without JavaScript): Chromium logs the page's data request with that
  // status as a failed load. Exactly that line, nothing else, is expected.
  expect(problems.errors).toEqual([
    'Failed to load resource: the server responded with a status of 422 ()',
  ]);
  problems.errors = [];

  await page.getByRole('link', { name: 'Check out' }).click();
  await expect(page).toHaveURL(/\/en\/checkout$/);
  await hydrated(page);
  const email = uniqueEmail('guest');
  await fillCheckout(page, email);
  await expect(page).toHaveURL(PAY_PAGE);
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Payment');
  await page.getByLabel('Visa — payment succeeds').check();
  await page.getByRole('button', { name: /^Pay / }).click();

  await expect(page).toHaveURL(/\/en\/orders\/[0-9a-f-]{36}\/confirmation$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you for your order!');
  await expect(page.locator('.order-status')).toHaveText('Paid');
  const orderNumber = await page.locator('.order-facts dd').first().textContent();

  // The emailed link opens the order in another browser (the fragment is posted by the page).
  const mail = await waitForMail(email, /./);
  const link = linkIn(mail, '/orders/view');
  const other = await page.context().browser()?.newContext();
  if (!other) throw new Error('no browser');
  const guestPage = await other.newPage();
  const guestProblems = await watchProblems(guestPage);
  await guestPage.goto(new URL(`${link.pathname}${link.hash}`, page.url()).toString());
  await expect(guestPage.locator('.order-facts dd').first()).toHaveText(orderNumber ?? '');
  await expect(guestPage.locator('.order-status')).toHaveText('Paid');
  expect(new URL(guestPage.url()).hash).toBe('');
  await other.close();
  expectNoProblems(guestProblems);
  expectNoProblems(problems);
});

test('a declined card shows a clear error and leaves the order unpaid', async ({ page }) => {
  test.setTimeout(60_000);
  const problems = await watchProblems(page);
  const [product] = await inStockProducts(page);
  if (!product) throw new Error('no product in stock');
  await addToCart(page, product.slug);
  await page.getByRole('link', { name: 'Check out' }).click();
  await hydrated(page);
  await fillCheckout(page, uniqueEmail('declined'));
  await expect(page).toHaveURL(PAY_PAGE);
  const orderId = PAY_PAGE.exec(page.url())?.[1] ?? '';
  await hydrated(page);

  await page.getByLabel('Visa — card declined').check();
  await page.getByRole('button', { name: /^Pay / }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'Your card was declined. No money was taken. Try another card.',
  );
  await expect(page).toHaveURL(PAY_PAGE);
  // The decline is a 402 (as without JavaScript), logged by Chromium as a failed data load.
  expect(problems.errors).toEqual([
    'Failed to load resource: the server responded with a status of 402 ()',
  ]);
  problems.errors = [];
  const order = await page.request.get(`/api/checkout/orders/${orderId}`);
  expect(order.ok()).toBe(true);
  expect(((await order.json()) as { order: { status: string } }).order.status).toBe(
    'pending_payment',
  );
  expectNoProblems(problems);
});

/** Presses Tab until `target` has the focus (at most `limit` times). */
async function tabTo(page: Page, target: Locator, limit = 60): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error('the element never received the focus');
}

test('checks out with the keyboard only (Tab and Enter, typing into fields)', async ({ page }) => {
  test.setTimeout(90_000);
  const problems = await watchProblems(page);
  const [product] = await inStockProducts(page);
  if (!product) throw new Error('no product in stock');
  await page.goto(`/en/p/${product.slug}`);
  await hydrated(page);

  await tabTo(page, page.getByRole('button', { name: 'Add to cart' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/en\/cart$/);
  await tabTo(page, page.getByRole('link', { name: 'Check out' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/en\/checkout$/);
  await hydrated(page);

  const typeInto = async (label: string, text: string, exact = false) => {
    await tabTo(page, page.getByLabel(label, { exact }));
    await page.keyboard.type(text);
  };
  await typeInto('Email', uniqueEmail('keyboard'));
  await typeInto('Full name', 'Ada Lovelace');
  await typeInto('Address', '12 rue des Tests', true);
  await typeInto('Postal code', '75011');
  await typeInto('City', 'Paris');
  await tabTo(page, page.getByRole('button', { name: 'Continue to payment' }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(PAY_PAGE);
  await hydrated(page);

  await tabTo(page, page.getByRole('button', { name: /^Pay / }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you for your order!');
  await expect(page.locator('.order-status')).toHaveText('Paid');
  expectNoProblems(problems);
});
