import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_SCHEMA } from '../../src/config/app-config';

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
