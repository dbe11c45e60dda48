import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Web tests run without a browser: unit tests beside the code, and `test/*.spec.ts`, which start the
 * built server (`server.mjs`, so `nx run web:test` depends on `web:build`) against a small
 * catalogue API serving recorded responses.
 */
export default defineConfig({
  resolve: {
    alias: {
      '@storefront/contracts': fileURLToPath(
        new URL('../../libs/contracts/src/index.ts', import.meta.url),
      ),
    },
  },
  test: {
    include: ['app/**/*.spec.ts', 'test/**/*.spec.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
