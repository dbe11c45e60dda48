import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const assets = fileURLToPath(new URL('../build/client/assets/', import.meta.url));
const scripts = readdirSync(assets).filter((f) => f.endsWith('.js'));

describe('client bundle (needs `nx run web:build`, which the test target depends on)', () => {
  it('has scripts to check', () => {
    expect(scripts.length).toBeGreaterThan(5);
  });

  // zod probes for `new Function('')` when it loads, an eval sink that Trusted Types refuse: a
  // contract schema used in a page component (not only in its loader or action) would put zod in
  // that page's bundle and a Trusted Types violation on every visit. Use the shop's own constants
  // (e.g. LOCALES) in components; schemas belong to loaders and actions (*.server.ts).
  it('no script contains zod', () => {
    const withZod = scripts.filter((file) =>
      readFileSync(`${assets}${file}`, 'utf8').includes('ZodError'),
    );
    expect(withZod).toEqual([]);
  });
});
