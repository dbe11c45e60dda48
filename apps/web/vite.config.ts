import { reactRouter } from '@react-router/dev/vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * Vite build of the storefront. In development (`react-router dev`) the dev server proxies `/api/*`
 * to `API_URL`, as `server.mjs` does for the built app, so the browser only ever sees one origin.
 */
export default defineConfig({
  plugins: [reactRouter()],
  resolve: {
    alias: {
      '@storefront/contracts': fileURLToPath(
        new URL('../../libs/contracts/src/index.ts', import.meta.url),
      ),
    },
  },
  server: {
    host: process.env.HOST ?? '127.0.0.1',
    port: Number(process.env.PORT ?? 3000),
    proxy: {
      '/api': { target: process.env.API_URL ?? 'http://127.0.0.1:3333', changeOrigin: false },
    },
  },
  build: { sourcemap: false },
});
