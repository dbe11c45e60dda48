import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One synth per spec file: the templates are built once in module scope and shared by the tests.
export default defineConfig({
  resolve: {
    alias: {
      // Only for the configuration contract test (test/support/api-config-contract.ts), which loads the
      // API's own `loadConfig` at test time; nothing in infra/src depends on the API.
      '@storefront/crypto': fileURLToPath(new URL('../libs/crypto/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['test/**/*.spec.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Synth is CPU-bound; run files one after another on the 2-core runners.
    fileParallelism: false,
  },
});
