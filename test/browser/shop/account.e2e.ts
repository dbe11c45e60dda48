import { expect, test, type Page } from '@playwright/test';
import * as OTPAuth from 'otpauth';
import { linkIn, waitForMail } from '../support/mailbox';
import { expectNoProblems, hydrated, watchProblems } from '../support/page-problems';

/**
 * The customer account in Chromium, on the whole shop (real API, database, SMTP listener): every
 * journey ends with no console error and no CSP or Trusted Types violation.
 */

const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${process.hrtime()[1]}@example.test`;
const PASSWORD = 'a long walk by the quiet river 42';

/** A TOTP code of `secret`, `stepsAhead` periods from now (the API accepts one step of drift). */
function totp(secret: string, stepsAhead = 0): string {
  return new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    digits: 6,
    period: 30,
  }).generate({ timestamp: Date.now() + stepsAhead * 30_000 });
}

/** Registers through the page, opens the emailed link (with JavaScript: the fragment is posted). */
async function registerAndVerify(page: Page, email: string): Promise<void> {
  await page.goto('/en/account/register');
  await hydrated(page);
  await page.getByLabel('Your name (optional)').fill('Grace');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create my account' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Check your inbox');

  const mail = await waitForMail(email, /Confirm your email address/);
  const link = linkIn(mail, '/en/account/verify-email');
  expect(link.hash).toMatch(/^#token=/);
  await page.goto(link.toString());
  await expect(page.getByRole('status')).toContainText('Your email address is confirmed');
  // The token is gone from the address bar (and so from the history).
  expect(new URL(page.url()).hash).toBe('');
}

/** Signs in with the password form (client-side, JavaScript on). */
async function signInWithPassword(page: Page, email: string, returnTo?: string): Promise<void> {
  await page.goto(
    returnTo
      ? `/en/account/sign-in?returnTo=${encodeURIComponent(returnTo)}`
      : '/en/account/sign-in',
  );
  await hydrated(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const header = (page: Page) => page.getByRole('navigation', { name: 'Main' });

test('register → verify from the mail → sign in → TOTP → sign out → second factor → devices → address → orders', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const problems = await watchProblems(page);
  const email = uniqueEmail('journey');
  await registerAndVerify(page, email);

  await page.getByRole('link', { name: 'Sign in' }).last().click();
  await expect(page).toHaveURL(/\/en\/account\/sign-in$/);
  await signInWithPassword(page, email);
  await expect(page).toHaveURL(/\/en\/account$/);
  await expect(page.getByText(`Signed in as ${email}`)).toBeVisible();
  await expect(header(page).getByRole('link', { name: 'Account' })).toBeVisible();

  // Two-step verification with an authenticator app.
  await page
    .getByRole('navigation', { name: 'Your account' })
    .getByRole('link', { name: 'Sign-in & security' })
    .click();
  await expect(page.getByText('Authenticator app: off.')).toBeVisible();
  await page.getByRole('link', { name: 'Set up an authenticator app' }).click();
  await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible();
  const secret = ((await page.locator('.totp-secret').textContent()) ?? '').replace(/\s/g, '');
  expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
  await expect(page.locator('.totp-uri')).toContainText('otpauth://totp/');
  await page.getByLabel('Code shown by the app').fill(totp(secret));
  await page.getByRole('button', { name: 'Turn on two-step verification' }).click();
  await expect(page.getByRole('heading', { name: 'Two-step verification is on' })).toBeVisible();
  await expect(page.locator('.recovery-codes li')).toHaveCount(10);
  await page.getByRole('link', { name: 'Continue' }).click();
  await expect(page).toHaveURL(/\/en\/account$/);

  // Signing out reloads the document; the header no longer says "Account".
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/en\/account\/sign-in\?signedOut=1$/);
  await expect(page.getByRole('status')).toHaveText('You are signed out.');
  await expect(header(page).getByRole('link', { name: 'Sign in' })).toBeVisible();
  await expect(header(page).getByRole('link', { name: 'Account' })).toHaveCount(0);
  await page.goto('/en');
  await hydrated(page);
  await expect(header(page).getByRole('link', { name: 'Sign in' })).toBeVisible();

  // Signing in again asks for the second factor (a code of the next period: the one used at
  // set-up is spent, and one step of drift is accepted).
  await signInWithPassword(page, email, '/en/account/sessions');
  await expect(page).toHaveURL(/\/en\/account\/sign-in\/second-factor\?/);
  await page.getByLabel('Code', { exact: true }).fill(totp(secret, 1));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page).toHaveURL(/\/en\/account\/sessions$/);
  await expect(page.getByText('This device')).toBeVisible();
  await expect(header(page).getByRole('link', { name: 'Account' })).toBeVisible();

  // An address.
  await page.getByRole('link', { name: 'Addresses' }).first().click();
  await expect(page.getByText('You have no saved addresses yet.')).toBeVisible();
  await page.getByLabel('Full name').fill('Grace Hopper');
  await page.getByLabel('Address', { exact: true }).fill('1 Navy Street');
  await page.getByLabel('Postal code').fill('75001');
  await page.getByLabel('City').fill('Paris');
  await page.getByLabel('Country').selectOption('FR');
  await page.getByRole('button', { name: 'Save the address' }).click();
  await expect(page.getByRole('status')).toHaveText('The address is saved.');
  await expect(page.locator('.address-list address')).toContainText('1 Navy Street');
  await expect(page.locator('.address-list address')).toContainText('75001 Paris');

  // Orders (a new customer has none yet).
  await page.getByRole('link', { name: 'Orders' }).first().click();
  await expect(page).toHaveURL(/\/en\/account\/orders$/);
  await expect(page.getByText('You have no orders yet.')).toBeVisible();
  expectNoProblems(problems);
});

test('a sign-in link carrying returnTo to another site lands on the account page instead', async ({
  page,
}) => {
  const problems = await watchProblems(page);
  const email = uniqueEmail('redirect');
  await registerAndVerify(page, email);
  for (const returnTo of ['//evil.example/steal', 'https://evil.example/', '/\\evil.example']) {
    await signInWithPassword(page, email, returnTo);
    await expect(page).toHaveURL(/^http:\/\/localhost:\d+\/en\/account$/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/en\/account\/sign-in\?signedOut=1$/);
  }
  // A page of the shop is where the visitor comes back to.
  await signInWithPassword(page, email, '/en/account/addresses');
  await expect(page).toHaveURL(/\/en\/account\/addresses$/);
  expectNoProblems(problems);
});

test('a wrong password is said next to the form, and the email stays filled in', async ({
  page,
}) => {
  const problems = await watchProblems(page);
  const email = uniqueEmail('wrong');
  await registerAndVerify(page, email);
  await page.goto('/en/account/sign-in');
  await hydrated(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill('not my password at all');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText('The email or password is not correct.');
  await expect(page.getByLabel('Email address')).toHaveValue(email);
  await expect(page.getByLabel('Password')).toHaveValue('');
  // The refused sign-in is a 401 (as without JavaScript): Chromium logs the page's data request
  // with that status as a failed load. Exactly that line, nothing else, is expected.
  expect(problems.errors).toEqual([
    'Failed to load resource: the server responded with a status of 401 ()',
  ]);
  problems.errors = [];
  expectNoProblems(problems);
});
