import { expect, type Page } from '@playwright/test';

/** What a page reported: console errors, uncaught exceptions and CSP / Trusted Types violations. */
export interface PageProblems {
  errors: string[];
  violations: string[];
}

/**
 * Records every console error, page error and `securitypolicyviolation` event of a page. Journeys
 * end with {@link expectNoProblems}: any of them fails the test.
 */
export async function watchProblems(page: Page): Promise<PageProblems> {
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

/** Fails on any recorded console error or CSP / Trusted Types violation. */
export function expectNoProblems(problems: PageProblems): void {
  expect(problems.violations, 'CSP / Trusted Types violations').toEqual([]);
  expect(problems.errors, 'console errors').toEqual([]);
}

/**
 * Waits until the page is hydrated: React has taken the document (`hydrateRoot` marks it and
 * listens for events from then on), so a click is the client router's, not a document load.
 * `window.__reactRouterRouteModules` alone is not enough: the inline bootstrap sets it before the
 * client entry module has even loaded.
 */
export async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      '__reactRouterRouteModules' in window &&
      Object.keys(document).some((key) => key.startsWith('__reactContainer$')),
  );
}
