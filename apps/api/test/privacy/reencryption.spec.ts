import { randomBytes, randomUUID } from 'node:crypto';
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import {
  EnvelopeFieldCipher,
  sealedValueKeyId,
  type KeyProvider,
  type KeyringStore,
  type SealContext,
} from '@storefront/crypto';
import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { KEYRING_STORE } from '../../src/privacy/encryption/encryption.module';
import { ENVELOPE_CIPHER, KEY_PROVIDER } from '../../src/privacy/encryption/encryption.tokens';
import {
  ReencryptionError,
  ReencryptionJob,
  type ColumnProgress,
} from '../../src/privacy/encryption/reencryption.job';
import {
  Sealed,
  collectSealedColumns,
  declareSealedColumns,
  type SealedColumn,
} from '../../src/privacy/encryption/sealed-column';
import { startEncryptionContext } from './encryption-fixture';
import '../support/test-env';

const suffix = randomBytes(4).toString('hex');
const TABLE = `reenc_people_${suffix}`;
const ROWS = 23;

/** An entity of the test table, to prove `@Sealed()` registration (context column differs). */
@Entity({ name: TABLE })
class TestPerson {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Sealed('email')
  @Column({ name: 'email_sealed', type: 'text', nullable: true })
  emailSealed!: string | null;
  @Column({ type: 'text', nullable: true }) note!: string | null;
}

/* eslint-disable no-restricted-syntax -- the table name is generated above, never input. */
describe('re-encryption job (runtime role, table created by the test)', () => {
  let owner: DataSource;
  let runtime: DataSource;
  let context: INestApplicationContext;
  let cipher: EnvelopeFieldCipher;
  const column: SealedColumn = {
    table: TABLE,
    column: 'email_sealed',
    idColumn: 'id',
    contextColumn: 'email',
  };
  const fieldContext = (id: string): SealContext => ({ table: TABLE, column: 'email', rowId: id });
  const ids: string[] = [];

  const stored = () =>
    owner.query<
      {
        id: string;
        email_sealed: string | null;
      }[]
    >(`SELECT id::text AS id, email_sealed FROM ${TABLE} ORDER BY id`);
  const job = () => new ReencryptionJob(runtime, cipher);

  beforeAll(async () => {
    const env = inject('testEnv');
    const ownerConfig = loadConfig({ NODE_ENV: 'test', DATABASE_URL: env.ownerDatabaseUrl });
    owner = await new DataSource(dataSourceOptions(ownerConfig, 'migrate')).initialize();
    const role = new URL(env.databaseUrl).username;
    await owner.query(`CREATE TABLE ${TABLE} (id uuid PRIMARY KEY, email_sealed text, note text)`);
    await owner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${TABLE} TO ${role}`);

    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: env.databaseUrl });
    context = await startEncryptionContext(config);
    cipher = context.get<EnvelopeFieldCipher>(ENVELOPE_CIPHER);
    runtime = await new DataSource({
      ...dataSourceOptions(config),
      entities: [TestPerson],
    }).initialize();

    for (let i = 0; i < ROWS; i++) ids.push(randomUUID());
    ids.sort();
    for (const [i, id] of ids.entries()) {
      // Row 5 holds no value: NULLs are left alone.
      const sealed =
        i === 5 ? null : await cipher.encrypt(`person${i}@example.com`, fieldContext(id));
      await runtime.query(`INSERT INTO ${TABLE} (id, email_sealed) VALUES ($1, $2)`, [id, sealed]);
    }
  });

  afterAll(async () => {
    await runtime.destroy();
    await context.close();
    await owner.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await owner.destroy();
  });

  it('finds the column through @Sealed() on the entity, with its context column', () => {
    expect(collectSealedColumns(runtime)).toContainEqual(column);
    declareSealedColumns({ table: 'declared_table', column: 'secret', idColumn: 'id' });
    expect(collectSealedColumns(runtime)).toContainEqual({
      table: 'declared_table',
      column: 'secret',
      idColumn: 'id',
    });
    expect(() => {
      declareSealedColumns({ table: 'x; DROP TABLE users', column: 'c', idColumn: 'id' });
    }).toThrow(/identifiers/);
  });

  it('stops after a batch, records its progress, resumes there, and moves every old value', async () => {
    const before = await stored();
    const oldKeyId = sealedValueKeyId(before[0]!.email_sealed!);
    const rotated = await cipher.rotate();
    expect(rotated.id).not.toBe(oldKeyId);

    // First run: stop after the first batch of 10 values (rows 0-10; row 5 is NULL, not read).
    const controller = new AbortController();
    const batches: ColumnProgress[] = [];
    const first = await job().run({
      columns: [column],
      batchSize: 10,
      signal: controller.signal,
      onBatch: (progress) => {
        batches.push(progress);
        controller.abort();
      },
    });
    expect(first.stopped).toBe(true);
    expect(first.targetKeyId).toBe(rotated.id);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ scanned: 10, completed: false, lastRowId: ids[10] });
    const [checkpoint] = await owner.query<
      { last_row_id: string; resealed: number; completed_at: Date | null }[]
    >(
      `SELECT last_row_id, resealed::int AS resealed, completed_at
         FROM encryption_reencryption_progress WHERE table_name = $1 AND target_key_id = $2`,
      [TABLE, rotated.id],
    );
    expect(checkpoint).toEqual({ last_row_id: ids[10], resealed: 10, completed_at: null });
    const midway = await stored();
    for (const [i, row] of midway.entries()) {
      if (row.email_sealed === null) continue;
      expect(sealedValueKeyId(row.email_sealed), `row ${i}`).toBe(i <= 10 ? rotated.id : oldKeyId);
    }

    // Second run resumes after row 10: it reads only the remaining rows.
    const second = await job().run({ columns: [column], batchSize: 10 });
    expect(second.stopped).toBe(false);
    expect(second.columns[0]).toMatchObject({
      scanned: ROWS - 11,
      resealed: ROWS - 1,
      skipped: 0,
      completed: true,
    });
    const after = await stored();
    for (const [i, row] of after.entries()) {
      if (i === 5) {
        expect(row.email_sealed).toBeNull();
        continue;
      }
      expect(sealedValueKeyId(row.email_sealed!)).toBe(rotated.id);
      expect(await cipher.decrypt(row.email_sealed!, fieldContext(row.id))).toBe(
        `person${i}@example.com`,
      );
    }

    // A completed run for this key does nothing more.
    const third = await job().run({ columns: [column] });
    expect(third.columns[0]).toMatchObject({ scanned: 0, completed: true });
  });

  it('never overwrites a value the application rewrote while the job was working', async () => {
    await cipher.rotate();
    const target = ids[3]!;
    /** A cipher whose reseal lets "the application" write the row in between read and write. */
    class RacingCipher extends EnvelopeFieldCipher {
      override async reseal(sealed: string, ctx: SealContext, targetKeyId?: string) {
        const next = await super.reseal(sealed, ctx, targetKeyId);
        if (ctx.rowId === target) {
          const written = await cipher.encrypt('changed@example.com', fieldContext(target));
          await runtime.query(`UPDATE ${TABLE} SET email_sealed = $1 WHERE id = $2`, [
            written,
            target,
          ]);
        }
        return next;
      }
    }
    const racing = new RacingCipher({
      keyring: context.get<KeyringStore>(KEYRING_STORE),
      provider: context.get<KeyProvider>(KEY_PROVIDER),
    });
    const summary = await new ReencryptionJob(runtime, racing).run({ columns: [column] });
    expect(summary.columns[0]).toMatchObject({ skipped: 1, resealed: ROWS - 2, completed: true });
    const row = (await stored()).find((r) => r.id === target)!;
    expect(await cipher.decrypt(row.email_sealed!, fieldContext(target))).toBe(
      'changed@example.com',
    );
  });

  it('stops loudly at a value that fails authentication, naming the row, without moving past it', async () => {
    const rotated = await cipher.rotate();
    const victim = ids[7]!;
    const [row] = await owner.query<{ email_sealed: string }[]>(
      `SELECT email_sealed FROM ${TABLE} WHERE id = $1`,
      [victim],
    );
    const parts = row!.email_sealed.split('.');
    parts[4] = parts[4]!.startsWith('A') ? `B${parts[4]!.slice(1)}` : `A${parts[4]!.slice(1)}`;
    await owner.query(`UPDATE ${TABLE} SET email_sealed = $1 WHERE id = $2`, [
      parts.join('.'),
      victim,
    ]);
    const run = job().run({ columns: [column], batchSize: 5 });
    await expect(run).rejects.toThrow(ReencryptionError);
    await expect(run).rejects.toThrow(
      new RegExp(`${TABLE}\\.email_sealed row ${victim}: FIELD_DECRYPTION_FAILED`),
    );
    const [checkpoint] = await owner.query<{ last_row_id: string }[]>(
      `SELECT last_row_id FROM encryption_reencryption_progress
        WHERE table_name = $1 AND target_key_id = $2`,
      [TABLE, rotated.id],
    );
    expect(checkpoint!.last_row_id).toBe(ids[4]);
  });
});
