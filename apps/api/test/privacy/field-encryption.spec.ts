import { createSecretKey, randomBytes, randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import {
  EnvelopeFieldCipher,
  FieldDecryptionError,
  HmacBlindIndex,
  KeyringConflictError,
  LocalKeyProvider,
  UnknownDataKeyError,
  sealedValueKeyId,
} from '@storefront/crypto';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { ENVELOPE_CIPHER } from '../../src/privacy/encryption/encryption.tokens';
import { ReencryptionJob } from '../../src/privacy/encryption/reencryption.job';
import { collectSealedColumns } from '../../src/privacy/encryption/sealed-column';
import { UNWALKED_SEALED_COLUMNS } from '../../src/privacy/encryption/sealed-columns.catalogue';
import { TypeOrmKeyringStore } from '../../src/privacy/encryption/typeorm-keyring.store';
import {
  BLIND_INDEX,
  FIELD_CIPHER,
  type BlindIndex,
  type FieldCipher,
} from '../../src/privacy/encryption/field-cipher';
import {
  createKeyringDatabase,
  startEncryptionContext,
  type KeyringDatabase,
} from './encryption-fixture';

const kekBase64 = randomBytes(32).toString('base64');
const blindBase64 = randomBytes(32).toString('base64');

interface KeyRow {
  id: string;
  wrapped_key: Buffer;
  provider: string;
  kek_id: string;
  status: string;
  retired_at: Date | null;
}

describe('EncryptionModule on PostgreSQL', () => {
  let db: KeyringDatabase;
  const contexts: INestApplicationContext[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const context = await startEncryptionContext(
      db.config({ FIELD_ENCRYPTION_LOCAL_KEK: kekBase64, BLIND_INDEX_KEY: blindBase64, ...env }),
    );
    contexts.push(context);
    return context;
  };
  const keyRows = (): Promise<KeyRow[]> =>
    db.owner.query('SELECT * FROM encryption_keys ORDER BY created_at, id');

  beforeAll(async () => {
    db = await createKeyringDatabase();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await db.drop();
  });

  it('creates exactly one active key under concurrent first writes from two instances', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const cipherA = a.get<FieldCipher>(FIELD_CIPHER);
    const cipherB = b.get<FieldCipher>(FIELD_CIPHER);
    const sealed = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? cipherA : cipherB).encrypt(`v${i}`, {
          table: 'users',
          column: 'email',
          rowId: String(i),
        }),
      ),
    );
    const rows = await keyRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ provider: 'local', status: 'active', retired_at: null });
    expect(new Set(sealed.map(sealedValueKeyId))).toEqual(new Set([rows[0]!.id]));
  });

  it('stores the data key wrapped by the KEK, never in clear', async () => {
    const [row] = await keyRows();
    const provider = new LocalKeyProvider(createSecretKey(Buffer.from(kekBase64, 'base64')));
    expect(row!.kek_id).toBe(provider.kekId);
    const clear = await provider.unwrapDataKey({
      keyId: row!.id,
      wrappedKey: row!.wrapped_key,
      kekId: row!.kek_id,
    });
    expect(row!.wrapped_key.includes(clear)).toBe(false);
    // Another KEK cannot unwrap it: the keyring alone does not reveal the data.
    const other = await start({ FIELD_ENCRYPTION_LOCAL_KEK: randomBytes(32).toString('base64') });
    const sealed = await (
      await start()
    )
      .get<FieldCipher>(FIELD_CIPHER)
      .encrypt('x', { table: 'users', column: 'email', rowId: '1' });
    await expect(
      other
        .get<FieldCipher>(FIELD_CIPHER)
        .decrypt(sealed, { table: 'users', column: 'email', rowId: '1' }),
    ).rejects.toThrow(/wrapped by KEK/);
  });

  it('round-trips a value stored in PostgreSQL, read back by a fresh instance (cold cache)', async () => {
    await db.owner.query('CREATE TABLE IF NOT EXISTS people (id uuid PRIMARY KEY, name text)');
    const id = randomUUID();
    const writer = (await start()).get<FieldCipher>(FIELD_CIPHER);
    const context = { table: 'people', column: 'name', rowId: id };
    const sealed = await writer.encrypt('Zoë Ødegård', context);
    await db.owner.query('INSERT INTO people (id, name) VALUES ($1, $2)', [id, sealed]);
    const [stored] = await db.owner.query<{ name: string }[]>(
      'SELECT name FROM people WHERE id = $1',
      [id],
    );
    expect(stored!.name).toMatch(/^fe1\./);
    // Neither the clear text nor a mere encoding of it (a two-letter check would be flaky: a
    // random ciphertext contains "Zo" by chance about once in seventy runs).
    const clear = Buffer.from('Zoë Ødegård');
    for (const form of ['Zoë Ødegård', clear.toString('base64'), clear.toString('base64url')]) {
      expect(stored!.name).not.toContain(form);
    }
    const reader = (await start()).get<FieldCipher>(FIELD_CIPHER);
    expect(await reader.decrypt(stored!.name, context)).toBe('Zoë Ødegård');
  });

  it('fails loudly on a value tampered with in the database or moved to another row', async () => {
    const cipher = (await start()).get<FieldCipher>(FIELD_CIPHER);
    const [a, b] = [randomUUID(), randomUUID()];
    for (const [id, name] of [
      [a, 'Ada'],
      [b, 'Bob'],
    ] as const) {
      const sealed = await cipher.encrypt(name, { table: 'people', column: 'name', rowId: id });
      await db.owner.query('INSERT INTO people (id, name) VALUES ($1, $2)', [id, sealed]);
    }
    // Copy Bob's value onto Ada's row: same key, valid tag, wrong row → refused.
    await db.owner.query(
      'UPDATE people SET name = (SELECT name FROM people WHERE id = $2) WHERE id = $1',
      [a, b],
    );
    const [moved] = await db.owner.query<{ name: string }[]>(
      'SELECT name FROM people WHERE id = $1',
      [a],
    );
    await expect(
      cipher.decrypt(moved!.name, { table: 'people', column: 'name', rowId: a }),
    ).rejects.toThrow(FieldDecryptionError);
    // Flip one character of the ciphertext in place.
    const parts = moved!.name.split('.');
    parts[3] = parts[3]!.startsWith('A') ? `B${parts[3]!.slice(1)}` : `A${parts[3]!.slice(1)}`;
    await expect(
      cipher.decrypt(parts.join('.'), { table: 'people', column: 'name', rowId: b }),
    ).rejects.toThrow(FieldDecryptionError);
  });

  it('rotation: new writes use the new key, old values still open, statuses are recorded', async () => {
    const instance = await start();
    const cipher = instance.get<FieldCipher>(FIELD_CIPHER);
    const envelope = instance.get<EnvelopeFieldCipher>(ENVELOPE_CIPHER);
    const context = { table: 'users', column: 'email', rowId: 'r1' };
    const old = await cipher.encrypt('ada@example.com', context);
    const rotated = await envelope.rotate();
    const fresh = await cipher.encrypt('ada@example.com', context);
    expect(sealedValueKeyId(fresh)).toBe(rotated.id);
    expect(sealedValueKeyId(old)).not.toBe(rotated.id);
    expect(await cipher.decrypt(old, context)).toBe('ada@example.com');
    // A fresh instance (another process) opens both.
    const other = (await start()).get<FieldCipher>(FIELD_CIPHER);
    expect(await other.decrypt(old, context)).toBe('ada@example.com');
    expect(await other.decrypt(fresh, context)).toBe('ada@example.com');
    const rows = await keyRows();
    expect(rows.filter((r) => r.status === 'active').map((r) => r.id)).toEqual([rotated.id]);
    const previous = rows.find((r) => r.id === sealedValueKeyId(old));
    expect(previous).toMatchObject({ status: 'retired' });
    expect(previous!.retired_at).toBeInstanceOf(Date);
  });

  it('lets only one of two concurrent rotations win; the database keeps one active key', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const results = await Promise.allSettled([
      a.get<EnvelopeFieldCipher>(ENVELOPE_CIPHER).rotate(),
      b.get<EnvelopeFieldCipher>(ENVELOPE_CIPHER).rotate(),
    ]);
    const failures = results.filter((r) => r.status === 'rejected');
    expect(failures.length).toBeLessThanOrEqual(1);
    for (const failure of failures) {
      expect(failure.reason).toBeInstanceOf(KeyringConflictError);
    }
    expect((await keyRows()).filter((r) => r.status === 'active')).toHaveLength(1);
    // The database itself refuses a second active key, whatever the code does.
    await expect(
      db.owner.query(
        `INSERT INTO encryption_keys (id, wrapped_key, provider, kek_id, status)
         VALUES ('intruder', '\\x01', 'local', 'local:x', 'active')`,
      ),
    ).rejects.toThrow(/encryption_keys_one_active/);
  });

  it('seals and opens inside a transaction holding the only pooled connection (warm: no keyring query)', async () => {
    const options = { ...dataSourceOptions(db.config()), poolSize: 1 } as DataSourceOptions;
    const single = await new DataSource(options).initialize();
    try {
      const cipher = new EnvelopeFieldCipher({
        keyring: new TypeOrmKeyringStore(single),
        provider: new LocalKeyProvider(createSecretKey(Buffer.from(kekBase64, 'base64'))),
        activeKeyTtlMs: 0, // every seal finds the active key id stale
      });
      await cipher.warmUp();
      const context = { table: 'users', column: 'email', rowId: randomUUID() };
      const opened = await single.transaction(async (manager) => {
        await manager.query('SELECT 1');
        const sealed = await cipher.encrypt('ada@example.com', context);
        await cipher.encrypt('again@example.com', context);
        return cipher.decrypt(sealed, context);
      });
      expect(opened).toBe('ada@example.com');
    } finally {
      await single.destroy();
    }
  });

  it('preloads the keyring at startup: a fresh instance has the active key before any write', async () => {
    const before = (await keyRows()).filter((r) => r.status === 'active');
    const instance = await start();
    const envelope = instance.get<EnvelopeFieldCipher>(ENVELOPE_CIPHER);
    const active = await Promise.race([
      envelope.activeKeyId(),
      new Promise<string>((resolve) =>
        setImmediate(() => {
          resolve('not loaded');
        }),
      ),
    ]);
    expect(active).toBe(before[0]!.id);
  });

  it('fails loudly on a value naming a key the keyring does not hold', async () => {
    const cipher = (await start()).get<FieldCipher>(FIELD_CIPHER);
    const context = { table: 'users', column: 'email', rowId: 'r1' };
    const sealed = await cipher.encrypt('x', context);
    const forged = sealed.replace(/^fe1\.[^.]+\./, 'fe1.20260101-forgedkey.');
    await expect(cipher.decrypt(forged, context)).rejects.toThrow(UnknownDataKeyError);
  });

  it('registers every *_sealed column of the schema for re-encryption, or says why not', async () => {
    const columns = await db.owner.query<{ name: string }[]>(
      `SELECT table_name || '.' || column_name AS name FROM information_schema.columns
        WHERE table_schema = 'public' AND column_name LIKE '%\\_sealed' ORDER BY 1`,
    );
    expect(columns.length).toBeGreaterThanOrEqual(5);
    const registered = collectSealedColumns(db.owner);
    const known = new Set([
      ...registered.map((c) => `${c.table}.${c.column}`),
      ...UNWALKED_SEALED_COLUMNS.map((c) => `${c.table}.${c.column}`),
    ]);
    for (const { name } of columns) expect(known.has(name), name).toBe(true);
    // The job's SQL runs on every registered table of the real schema.
    const instance = await start();
    const summary = await new ReencryptionJob(
      db.owner,
      instance.get<EnvelopeFieldCipher>(ENVELOPE_CIPHER),
    ).run();
    expect(summary.stopped).toBe(false);
    expect(summary.columns.map((c) => `${c.table}.${c.column}`).sort()).toEqual(
      registered.map((c) => `${c.table}.${c.column}`).sort(),
    );
  });

  it('blind index: keyed by BLIND_INDEX_KEY alone, not by the encryption key', async () => {
    const index = (await start()).get<BlindIndex>(BLIND_INDEX);
    const digest = index.compute('user-email', ' Ada@Example.com ');
    expect(digest).toBe(
      new HmacBlindIndex(createSecretKey(Buffer.from(blindBase64, 'base64'))).compute(
        'user-email',
        'ada@example.com',
      ),
    );
    expect(digest).not.toBe(
      new HmacBlindIndex(createSecretKey(Buffer.from(kekBase64, 'base64'))).compute(
        'user-email',
        'ada@example.com',
      ),
    );
    // Same KEK, another blind-index key: other digests (the index key is its own secret).
    const otherIndex = (
      await start({ BLIND_INDEX_KEY: randomBytes(32).toString('base64') })
    ).get<BlindIndex>(BLIND_INDEX);
    expect(otherIndex.compute('user-email', 'ada@example.com')).not.toBe(digest);
  });
});
