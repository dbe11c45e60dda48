// Bundles the API with rolldown: TypeScript (with decorator metadata for Nest's DI) to ESM in
// dist/, resolving the @storefront/* libraries from tsconfig paths. npm dependencies stay external.
import { rm } from 'node:fs/promises';
import { build } from 'rolldown';

const root = new URL('.', import.meta.url).pathname;
await rm(`${root}dist`, { recursive: true, force: true });
const started = Date.now();
await build({
  cwd: root,
  input: { main: 'src/main.ts', cli: 'src/cli.ts' },
  platform: 'node',
  tsconfig: 'tsconfig.json',
  external: (id) =>
    /^[^./]/.test(id) && !id.startsWith('@storefront/') && !id.startsWith('@oxc-project/runtime'),
  output: {
    dir: 'dist',
    format: 'esm',
    sourcemap: true,
    chunkFileNames: 'chunks/[name]-[hash].js',
  },
  logLevel: 'warn',
});
console.log(`api built in ${Date.now() - started} ms`);
