import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.spec.ts'],
    environment: 'node',
    // Property tests and the module-boundary check (it loads the root ESLint configuration, ≈ 1.5 s)
    // share two cores with the other test files: time limits, not timing assertions.
    testTimeout: 20_000,
  },
});
