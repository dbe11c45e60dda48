/**
 * `cdk synth` runs the app with Node's own type stripping (`cdk.json`: `node src/main.ts`), which
 * resolves no extensionless import: Vitest and `tsc` would still pass while the CLI fails. Every
 * relative import of the app must therefore name its `.ts` file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SOURCE = fileURLToPath(new URL('../src', import.meta.url));

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(directory, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(directory, entry.name)]
        : [],
  );
}

describe('infra/src', () => {
  it('names the .ts file in every relative import (what node src/main.ts can resolve)', () => {
    const files = sourceFiles(SOURCE);
    expect(files.length).toBeGreaterThan(10);
    const extensionless = files.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\bfrom\s+'(\.{1,2}\/[^']+)'/g)]
        .map((match) => match[1] as string)
        .filter((specifier) => !specifier.endsWith('.ts'))
        .map((specifier) => `${file.slice(SOURCE.length + 1)}: ${specifier}`),
    );
    expect(extensionless).toEqual([]);
  });
});
