import { defineConfig } from '@playwright/test';

const recordedPort = Number(process.env.WEB_PORT ?? 4317);
const shopPort = Number(process.env.SHOP_WEB_PORT ?? 4318);
const mailDir = new URL('../../tmp/e2e-mail', import.meta.url).pathname;
process.env.E2E_MAIL_DIR = mailDir;

/**
 * Browser tests of the storefront on Debian's Chromium (never a downloaded browser). Two stacks:
 * - `recorded`: the built web app against recorded catalogue responses (`start-stack.mjs`),
 *   for page-security tests that need exact, hostile data;
 * - `shop`: the whole shop on real parts (`start-full-stack.mjs`: real PostgreSQL, Redis, API,
 *   SMTP listener, development payment provider) for the customer journeys in `shop/`.
 * Run by `nx run web:test`.
 */
export default defineConfig({
  testDir: '.',
  outputDir: '../../tmp/playwright-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    {
      name: 'recorded',
      testMatch: '*.e2e.ts',
      testIgnore: 'shop/**',
      use: { baseURL: `http://127.0.0.1:${recordedPort}` },
    },
    {
      name: 'shop',
      testMatch: 'shop/*.e2e.ts',
      use: { baseURL: `http://localhost:${shopPort}` },
    },
  ],
  webServer: [
    {
      command: 'node test/browser/start-stack.mjs',
      cwd: '../..',
      url: `http://127.0.0.1:${recordedPort}/healthz`,
      reuseExistingServer: false,
      timeout: 30_000,
      env: { WEB_PORT: String(recordedPort) },
    },
    {
      command: 'node test/browser/start-full-stack.mjs',
      cwd: '../..',
      url: `http://127.0.0.1:${shopPort}/healthz`,
      reuseExistingServer: false,
      timeout: 90_000,
      env: { SHOP_WEB_PORT: String(shopPort), E2E_MAIL_DIR: mailDir },
    },
  ],
});
