import { defineConfig } from 'vitest/config';

// One synth per spec file: the templates are built once in module scope and shared by the tests.
export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Synth is CPU-bound; run files one after another on the 2-core runners.
    fileParallelism: false,
  },
});
