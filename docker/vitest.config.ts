import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      // Only for test/api-config.spec.ts, which runs the API's own `loadConfig` on the Compose
      // environment at test time; nothing in docker/checks depends on the API.
      '@storefront/crypto': fileURLToPath(new URL('../libs/crypto/src/index.ts', import.meta.url)),
    },
  },
  test: { include: ['test/**/*.spec.ts'], environment: 'node' },
});
