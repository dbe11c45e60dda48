import { defineConfig } from '@playwright/test';

const port = Number(process.env.WEB_PORT ?? 4317);

/**
 * Browser tests of the storefront on Debian's Chromium (never a downloaded browser), against the
 * built web app and recorded catalogue responses (`start-stack.mjs`). Run by `nx run web:test`.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '*.e2e.ts',
  outputDir: '../../tmp/playwright-results',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
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
  webServer: {
    command: 'node test/browser/start-stack.mjs',
    cwd: '../..',
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 30_000,
    env: { WEB_PORT: String(port) },
  },
});
