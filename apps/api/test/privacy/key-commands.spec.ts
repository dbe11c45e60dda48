import { randomUUID } from 'node:crypto';
import {
  EnvelopeFieldCipher,
  LocalKeyProvider,
  sealedValueKeyId,
  type SealContext,
} from '@storefront/crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSourceOptions } from '../../src/database/data-source-options';
import {
  runKeysList,
  runKeysReencrypt,
  runKeysRotate,
  type KeyCommandIo,
} from '../../src/privacy/encryption/key-commands';
import { declareSealedColumns } from '../../src/privacy/encryption/sealed-column';
import { TypeOrmKeyringStore } from '../../src/privacy/encryption/typeorm-keyring.store';
import { createKeyringDatabase, type KeyringDatabase } from './encryption-fixture';

function capture(signal?: AbortSignal): KeyCommandIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    out: (line) => lines.push(line),
    err: (line) => errors.push(line),
    ...(signal ? { signal } : {}),
  };
}

describe('keys:list, keys:rotate, keys:reencrypt', () => {
  let db: KeyringDatabase;
  let app: DataSource;
  let cipher: EnvelopeFieldCipher;
  const context = (id: string): SealContext => ({
    table: 'cli_people',
    column: 'email',
    rowId: id,
  });
  const values = async () =>
    db.owner.query<{ id: string; email_sealed: string }[]>(
      'SELECT id::text AS id, email_sealed FROM cli_people ORDER BY id',
    );

  beforeAll(async () => {
    db = await createKeyringDatabase();
    await db.owner.query('CREATE TABLE cli_people (id uuid PRIMARY KEY, email_sealed text)');
    declareSealedColumns({
      table: 'cli_people',
      column: 'email_sealed',
      idColumn: 'id',
      contextColumn: 'email',
    });
    const config = db.config();
    app = await new DataSource(dataSourceOptions(config)).initialize();
    if (config.fieldEncryption.provider.kind !== 'local') throw new Error('expected local');
    cipher = new EnvelopeFieldCipher({
      keyring: new TypeOrmKeyringStore(app),
      provider: new LocalKeyProvider(config.fieldEncryption.provider.kek),
    });
  });
  afterAll(async () => {
    await app.destroy();
    await db.drop();
  });

  it('lists an empty keyring, then the key created by the first write', async () => {
    const empty = capture();
    expect(await runKeysList(db.config(), empty)).toBe(0);
    expect(empty.lines).toEqual([expect.stringMatching(/keyring is empty/)]);
    for (let i = 0; i < 5; i++) {
      const id = randomUUID();
      await app.query('INSERT INTO cli_people (id, email_sealed) VALUES ($1, $2)', [
        id,
        await cipher.encrypt(`p${i}@example.com`, context(id)),
      ]);
    }
    const listed = capture();
    expect(await runKeysList(db.config(), listed)).toBe(0);
    expect(listed.lines).toEqual([
      expect.stringMatching(/^\S+ +active +local +local:[0-9a-f]{32} +created /),
    ]);
  });

  it('rotates, warns that instances may lag, and moves every value to the new key', async () => {
    const [first] = await values();
    const oldKey = sealedValueKeyId(first!.email_sealed);
    const rotate = capture();
    expect(await runKeysRotate(db.config(), rotate)).toBe(0);
    const newKey = /^keys:rotate: (\S+) is the active data key/.exec(rotate.lines[0] ?? '')?.[1];
    expect(newKey).toBeDefined();
    expect(rotate.lines.join('\n')).toContain(`${oldKey} retired`);

    const stopped = new AbortController();
    stopped.abort();
    const interrupted = capture(stopped.signal);
    expect(await runKeysReencrypt(db.config(), [], interrupted)).toBe(2);
    expect((await values()).map((v) => sealedValueKeyId(v.email_sealed))).not.toContain(newKey);

    const run = capture();
    expect(await runKeysReencrypt(db.config(), ['--batch-size', '2'], run)).toBe(0);
    expect(run.errors).toEqual([expect.stringMatching(/less than 120 s old.*--restart/)]);
    expect(run.lines.join('\n')).toContain('cli_people.email_sealed: 5 resealed');
    for (const value of await values()) {
      expect(sealedValueKeyId(value.email_sealed)).toBe(newKey);
      expect(await cipher.decrypt(value.email_sealed, context(value.id))).toMatch(/@example\.com$/);
    }
    const listed = capture();
    await runKeysList(db.config(), listed);
    expect(listed.lines.map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      [oldKey, 'retired'],
      [newKey, 'active'],
    ]);
  });

  it('exits 1 naming the row of a value that does not authenticate, 64 on bad arguments', async () => {
    expect(await runKeysRotate(db.config(), capture())).toBe(0);
    const [victim] = await values();
    const tampered = victim!.email_sealed.replace(/\.([A-Za-z0-9_-])/, (_, c: string) =>
      c === 'A' ? '.B' : '.A',
    );
    await db.owner.query('UPDATE cli_people SET email_sealed = $1 WHERE id = $2', [
      tampered,
      victim!.id,
    ]);
    const failed = capture();
    expect(await runKeysReencrypt(db.config(), [], failed)).toBe(1);
    expect(failed.errors.join('\n')).toMatch(
      new RegExp(
        `cli_people\\.email_sealed row ${victim!.id}: (FIELD_DECRYPTION_FAILED|SEALED_VALUE_MALFORMED|DATA_KEY_UNKNOWN)`,
      ),
    );
    const bad = capture();
    expect(await runKeysReencrypt(db.config(), ['--batch-size', 'lots'], bad)).toBe(64);
    expect(await runKeysReencrypt(db.config(), ['--everything'], bad)).toBe(64);
  });
});
