import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTestUser, openCredentialsContext } from './credentials.test-support';
import { RecoveryCodeService } from './recovery-code.service';

describe('RecoveryCodeService (PostgreSQL)', () => {
  let app: INestApplicationContext;
  let codes: RecoveryCodeService;
  let db: DataSource;

  beforeAll(async () => {
    app = await openCredentialsContext();
    codes = app.get(RecoveryCodeService);
    db = app.get(DataSource);
  });

  afterAll(async () => {
    await app.close();
  });

  it('issues ten distinct codes and stores only their digests', async () => {
    const userId = await insertTestUser(db);
    const issued = await codes.regenerate(userId);
    expect(issued).toHaveLength(10);
    expect(new Set(issued).size).toBe(10);
    const rows = await db.query<Record<string, unknown>[]>(
      `SELECT * FROM mfa_recovery_codes WHERE user_id = $1`,
      [userId],
    );
    expect(rows).toHaveLength(10);
    const stored = JSON.stringify(rows) + rows.map((r) => String(r.code_hash)).join('');
    for (const code of issued) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replaceAll('-', ''));
    }
    expect(await codes.remaining(userId)).toBe(10);
  });

  it('accepts a code once; a used code is refused', async () => {
    const userId = await insertTestUser(db);
    const [first, second] = await codes.regenerate(userId);
    expect(await codes.consume(userId, first!)).toBe(true);
    expect(await codes.consume(userId, first!)).toBe(false);
    // Retyped in capitals with spaces: still the same, already used, code.
    expect(await codes.consume(userId, first!.toUpperCase().replaceAll('-', ' '))).toBe(false);
    expect(await codes.consume(userId, second!.toUpperCase().replaceAll('-', ' '))).toBe(true);
    expect(await codes.remaining(userId)).toBe(8);
  });

  it('lets exactly one of many concurrent submissions of a code through', async () => {
    const userId = await insertTestUser(db);
    const [code] = await codes.regenerate(userId);
    const results = await Promise.all(
      Array.from({ length: 12 }, () => codes.consume(userId, code!)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await codes.remaining(userId)).toBe(9);
  });

  it("refuses another user's code, a malformed one and a made-up one", async () => {
    const alice = await insertTestUser(db);
    const bob = await insertTestUser(db);
    const [aliceCode] = await codes.regenerate(alice);
    await codes.regenerate(bob);
    expect(await codes.consume(bob, aliceCode!)).toBe(false);
    expect(await codes.consume(alice, 'not a code')).toBe(false);
    expect(await codes.consume(alice, '0000-0000-0000-0000-0000-0000')).toBe(false);
    expect(await codes.remaining(alice)).toBe(10);
  });

  it('regenerating replaces every earlier code', async () => {
    const userId = await insertTestUser(db);
    const old = await codes.regenerate(userId);
    await codes.consume(userId, old[0]!);
    const fresh = await codes.regenerate(userId);
    for (const code of old) expect(await codes.consume(userId, code)).toBe(false);
    expect(await codes.remaining(userId)).toBe(10);
    expect(await codes.consume(userId, fresh[3]!)).toBe(true);
  });

  it('leaves exactly one set when two regenerations race', async () => {
    const userId = await insertTestUser(db);
    const [a, b] = await Promise.all([codes.regenerate(userId), codes.regenerate(userId)]);
    expect(await codes.remaining(userId)).toBe(10);
    const aWorks = await codes.consume(userId, a[0]!);
    const bWorks = await codes.consume(userId, b[0]!);
    expect(aWorks !== bWorks).toBe(true);
  });

  it('removes all codes of a user', async () => {
    const userId = await insertTestUser(db);
    const [code] = await codes.regenerate(userId);
    await codes.removeAll(userId);
    expect(await codes.remaining(userId)).toBe(0);
    expect(await codes.consume(userId, code!)).toBe(false);
  });
});
