import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_SCHEMA, SECRET_VARIABLES } from '../../src/config/app-config';

const read = (path: string) =>
  readFileSync(new URL(`../../../../${path}`, import.meta.url), 'utf8');

describe('field-encryption key management documentation (ASVS 11.1.1 / 11.1.2)', () => {
  const runbook = read('docs/runbooks/key-rotation.md');

  it('inventories every field-encryption key variable the configuration reads', () => {
    const variables = Object.keys(ENV_SCHEMA.shape).filter((name) =>
      /^(FIELD_ENCRYPTION_|BLIND_INDEX_)/.test(name),
    );
    expect(variables.length).toBeGreaterThanOrEqual(4);
    for (const name of variables) expect(runbook, name).toContain(name);
  });

  it('names the keys, algorithms and the lifecycle steps, and the commands exist in the CLI', () => {
    for (const term of [
      'data keys (DEKs)',
      'KEK',
      'blind-index key',
      'AES-256-GCM',
      'HMAC-SHA-256',
      'HKDF',
      'cryptoperiod',
      'encryption context',
      'crypto-shredding',
    ]) {
      expect(runbook, term).toContain(term);
    }
    const cli = read('apps/api/src/cli.ts');
    for (const command of ['keys:list', 'keys:rotate', 'keys:reencrypt', '--restart']) {
      expect(runbook, command).toContain(command);
      expect(cli, command).toContain(command);
    }
    expect(read('docs/runbooks/README.md')).toContain('key-rotation.md');
  });
});

describe('incident runbooks name what exists (docs/runbooks)', () => {
  const runbookDir = new URL('../../../../docs/runbooks/', import.meta.url);
  const runbooks = readdirSync(runbookDir).filter((name) => name.endsWith('.md'));

  it('indexes every runbook in the README', () => {
    const index = read('docs/runbooks/README.md');
    const pages = runbooks.filter((name) => name !== 'README.md');
    expect(pages.length).toBeGreaterThanOrEqual(6);
    for (const page of pages) expect(index, page).toContain(`(${page})`);
  });

  it('covers every secret variable of the configuration in the leaked-secret runbook', () => {
    const runbook = read('docs/runbooks/leaked-secret-or-key.md');
    expect(SECRET_VARIABLES.size).toBeGreaterThanOrEqual(9);
    for (const name of SECRET_VARIABLES) expect(runbook, name).toContain(name);
  });

  it('runs only commands the CLI has', () => {
    const cli = read('apps/api/src/cli.ts');
    const commands = new Set<string>();
    for (const page of runbooks) {
      const text = readFileSync(new URL(page, runbookDir), 'utf8');
      for (const match of text.matchAll(/cli\.js["', ]+([a-z]+(?::[a-z]+(?:-[a-z]+)*)?)/g)) {
        commands.add(match[1] as string);
      }
    }
    expect(commands.size).toBeGreaterThanOrEqual(2);
    for (const command of commands) expect(cli, command).toContain(`case '${command}':`);
  });

  it('switches maintenance mode with the context value, rule and IP set the edge stack defines', () => {
    const runbook = read('docs/runbooks/maintenance-mode.md');
    const app = read('infra/src/app.ts');
    const edge = read('infra/src/stacks/edge-waf-stack.ts');
    expect(app).toContain("tryGetContext('storefront:maintenance')");
    expect(runbook).toContain('-c storefront:maintenance=on');
    for (const name of ["name: 'maintenance-mode'", "customResponseBodyKey: 'maintenance'"]) {
      expect(edge, name).toContain(name);
    }
    expect(edge).toContain('`${name}-staff-allowlist`');
    for (const name of [
      'maintenance-mode',
      'storefront-$ENV-staff-allowlist',
      'Storefront-$ENV-EdgeWaf',
    ]) {
      expect(runbook, name).toContain(name);
    }
  });
});
