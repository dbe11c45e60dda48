import { expect, test } from '@playwright/test';
import { expectNoProblems, hydrated, watchProblems } from '../support/page-problems';

test.use({ locale: 'fr-FR' });

test('a French browser lands on the French shop and can switch to English on the same page', async ({
  page,
}) => {
  const problems = await watchProblems(page);
  await page.goto('/');
  await expect(page).toHaveURL(/\/fr$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page.locator('h1')).toHaveText('Bienvenue dans la boutique');
  await hydrated(page);

  await page.locator('.category-list a').first().click();
  await expect(page).toHaveURL(/\/fr\/c\/[a-z0-9-]+$/);
  const path = new URL(page.url()).pathname.slice('/fr'.length);
  await expect(page.locator('.product-price').first()).toContainText('€');

  await page.getByRole('link', { name: 'English' }).click();
  await expect(page).toHaveURL(new RegExp(`/en${path}$`));
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('link', { name: 'Français' })).toBeVisible();
  expectNoProblems(problems);
});
