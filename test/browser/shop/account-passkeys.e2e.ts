import { expect, test, type Page } from '@playwright/test';
import { linkIn, waitForMail } from '../support/mailbox';
import { expectNoProblems, hydrated, watchProblems } from '../support/page-problems';

/**
 * Passkeys in Chromium with a virtual authenticator (Chrome DevTools Protocol `WebAuthn`): a
 * platform authenticator with discoverable credentials and user verification that answers every
 * prompt by itself. The ceremonies run `@simplewebauthn/browser` under the shop's CSP with
 * `trusted-types 'none'`: any sink it used would be a violation, and the journey ends with none.
 */

const PASSWORD = 'a long walk by the quiet river 42';
const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${process.hrtime()[1]}@example.test`;

async function addVirtualAuthenticator(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

async function registerVerifyAndSignIn(page: Page, email: string): Promise<void> {
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
}

test('adds a passkey, renames it, then signs in with it without a password and as a second factor', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const problems = await watchProblems(page);
  await addVirtualAuthenticator(page);
  const email = uniqueEmail('passkey');
  await registerVerifyAndSignIn(page, email);

  await page.goto('/en/account/security');
  await hydrated(page);
  await expect(page.getByText('You have no passkeys yet.')).toBeVisible();
  await page.getByLabel('Name for the new passkey').fill('Virtual key');
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.getByText('Your passkey has been added.')).toBeVisible();
  // The account's first second factor: recovery codes come with it, shown once.
  await expect(page.locator('.recovery-codes li')).toHaveCount(10);
  const list = page.locator('.passkey-list');
  await expect(list.getByText('Virtual key')).toBeVisible();

  await list.getByLabel('Name').fill('Laptop');
  await list.getByRole('button', { name: 'Rename' }).click();
  await expect(page.getByText('The passkey has been renamed.')).toBeVisible();
  await expect(list.locator('strong')).toHaveText('Laptop');

  // Without a password: the authenticator offers its discoverable passkey.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/en\/account\/sign-in\?signedOut=1$/);
  await hydrated(page);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page).toHaveURL(/\/en\/account$/);
  await expect(page.getByText(`Signed in as ${email}`)).toBeVisible();

  // With a password, the passkey is now the second factor.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/en\/account\/sign-in\?signedOut=1$/);
  await hydrated(page);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/en\/account\/sign-in\/second-factor\?/);
  await hydrated(page);
  await page.getByRole('button', { name: 'Use a passkey' }).click();
  await expect(page).toHaveURL(/\/en\/account$/);

  // The passkey shows it was used.
  await page.goto('/en/account/security');
  await hydrated(page);
  await expect(page.locator('.passkey-list')).not.toContainText('never used');

  // Removed (the sign-in just made counts as the step-up it needs).
  await page.getByRole('button', { name: 'Remove: Laptop' }).click();
  await expect(page.getByText('The passkey has been removed.')).toBeVisible();
  await expect(page.getByText('You have no passkeys yet.')).toBeVisible();
  expectNoProblems(problems);
});
