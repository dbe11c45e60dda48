import { expect, test } from '@playwright/test';
import { linkIn, waitForMail } from '../support/mailbox';
import { expectNoProblems, hydrated, watchProblems } from '../support/page-problems';

/**
 * The whole customer journey the issue names, in Chromium with JavaScript on the real shop:
 * register → verify → sign in → browse (home → category) → search → product → cart → checkout as
 * the signed-in customer with the development provider → paid confirmation → the order in the
 * account, with its number, status and lines. No console error, CSP or Trusted Types violation.
 */

const email = `buyer-${Date.now()}-${process.hrtime()[1]}@example.test`;
const PASSWORD = 'a long walk by the quiet river 42';

test('register → sign in → browse → search → product → cart → checkout → paid → the order in the account', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const problems = await watchProblems(page);

  // An account, verified from the mail the shop sent.
  await page.goto('/en/account/register');
  await hydrated(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create my account' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your inbox');
  const mail = await waitForMail(email, /Confirm your email address/);
  await page.goto(linkIn(mail, '/en/account/verify-email').toString());
  await expect(page.getByRole('status')).toContainText('Your email address is confirmed');

  await page.goto('/en/account/sign-in');
  await hydrated(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/en\/account$/);

  // Browse: home → a category → back home, then search for a product in stock.
  await page.goto('/en');
  await hydrated(page);
  await page.locator('main a[href^="/en/c/"]').first().click();
  await expect(page).toHaveURL(/\/en\/c\/[a-z0-9-]+$/);
  await expect(page.locator('.product-card').first()).toBeVisible();
  const listed = await page.request.get('/api/products?sort=price_asc');
  const product = (
    (await listed.json()) as { items: { slug: string; name: string; inStock: boolean }[] }
  ).items.find((p) => p.inStock);
  if (!product) throw new Error('no product in stock');
  await page.getByLabel('Search the shop').fill(product.name);
  await page.getByLabel('Search the shop').press('Enter');
  await expect(page).toHaveURL(/\/en\/search\?q=/);
  await page.locator(`main a[href="/en/p/${product.slug}"]`).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(product.name);
  await expect(page.getByText('VAT included').first()).toBeVisible();

  // Cart and checkout: a signed-in customer gives no email; the order is theirs.
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page).toHaveURL(/\/en\/cart$/);
  await page.getByRole('link', { name: 'Check out' }).click();
  await expect(page).toHaveURL(/\/en\/checkout$/);
  await hydrated(page);
  await expect(page.getByLabel('Email')).toHaveCount(0);
  await page.getByLabel('Full name').fill('Grace Hopper');
  await page.getByLabel('Address', { exact: true }).fill('1 Navy Street');
  await page.getByLabel('Postal code').fill('75001');
  await page.getByLabel('City').fill('Paris');
  await page.getByLabel('Country').selectOption('FR');
  await page.getByRole('radio', { name: /^Express delivery/ }).check();
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await expect(page).toHaveURL(/\/en\/checkout\/[0-9a-f-]{36}\/pay$/);
  await hydrated(page);
  await page.getByLabel('Visa — payment succeeds').check();
  await page.getByRole('button', { name: /^Pay / }).click();
  await expect(page).toHaveURL(/\/en\/orders\/[0-9a-f-]{36}\/confirmation$/);
  await expect(page.locator('.order-status')).toHaveText('Paid');
  const orderNumber = ((await page.locator('.order-facts dd').first().textContent()) ?? '').trim();
  expect(orderNumber).toMatch(/^SO-/);

  // The order is in the account: listed with its number, and its page shows the line.
  await page.goto('/en/account/orders');
  await hydrated(page);
  const row = page.getByRole('row').filter({ hasText: orderNumber });
  await expect(row).toHaveCount(1);
  await row.getByRole('link', { name: orderNumber }).click();
  await expect(page).toHaveURL(/\/en\/account\/orders\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(orderNumber);
  await expect(page.locator('main')).toContainText(product.name);
  expectNoProblems(problems);
});
