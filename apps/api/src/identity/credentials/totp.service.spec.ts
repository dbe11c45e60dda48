import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { HOTP, Secret, URI } from 'otpauth';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { FIELD_CIPHER, type FieldCipher } from '../../privacy/encryption/field-cipher';
import { insertTestUser, openCredentialsContext } from './credentials.test-support';
import { TOTP_PERIOD_SECONDS, TotpService, type TotpEnrolment } from './totp.service';

/** The service with a clock the test moves. */
class ClockedTotpService extends TotpService {
  at = Date.now();
  protected override now(): number {
    return this.at;
  }
}

const STEP_MS = TOTP_PERIOD_SECONDS * 1000;

describe('TotpService (PostgreSQL, real field cipher)', () => {
  let app: INestApplicationContext;
  let db: DataSource;
  let cipher: FieldCipher;
  let totp: ClockedTotpService;

  /** The code an authenticator app shows `offset` steps from the service's current time. */
  const codeAt = (enrolment: TotpEnrolment, offset: number) =>
    HOTP.generate({
      secret: Secret.fromBase32(enrolment.secret),
      counter: Math.floor(totp.at / STEP_MS) + offset,
    });

  /** A user with a confirmed authenticator; the confirmation spent the code of step -1. */
  async function enrolled(): Promise<{ userId: string; enrolment: TotpEnrolment }> {
    const userId = await insertTestUser(db);
    const enrolment = await totp.beginEnrolment(userId, `${userId}@example.test`);
    expect(await totp.confirmEnrolment(userId, codeAt(enrolment, -1))).toBe(true);
    return { userId, enrolment };
  }

  beforeAll(async () => {
    app = await openCredentialsContext();
    db = app.get(DataSource);
    cipher = app.get<FieldCipher>(FIELD_CIPHER);
    totp = new ClockedTotpService(db, cipher, app.get<AppConfig>(APP_CONFIG));
    // Mid-step, so ±1 step is about the step boundaries, not about this test's timing.
    totp.at = Math.floor(Date.now() / STEP_MS) * STEP_MS + STEP_MS / 2;
  });

  afterAll(async () => {
    await app.close();
  });

  it('enrols with a 160-bit secret and an otpauth:// URI naming the shop', async () => {
    const userId = await insertTestUser(db);
    const enrolment = await totp.beginEnrolment(userId, 'jeanne@example.fr');
    expect(enrolment.secret).toMatch(/^[A-Z2-7]{32}$/); // 32 base32 characters = 160 bits
    const parsed = URI.parse(enrolment.uri);
    expect(enrolment.uri).toMatch(/^otpauth:\/\/totp\//);
    expect(parsed).toMatchObject({
      issuer: 'Maison Lumière',
      label: 'jeanne@example.fr',
      algorithm: 'SHA1',
      digits: 6,
    });
    expect(parsed.secret.base32).toBe(enrolment.secret);
    expect(app.get(TotpService)).toBeInstanceOf(TotpService);
  });

  it('stores the secret sealed, bound to its row', async () => {
    const userId = await insertTestUser(db);
    const enrolment = await totp.beginEnrolment(userId, 'sealed@example.fr');
    const [row] = await db.query<{ id: string; secret_sealed: string }[]>(
      `SELECT id, secret_sealed FROM mfa_totp_credentials WHERE user_id = $1`,
      [userId],
    );
    expect(row!.secret_sealed).not.toContain(enrolment.secret);
    expect(row!.secret_sealed).not.toContain(enrolment.secret.toLowerCase());
    const context = { table: 'mfa_totp_credentials', column: 'secret_sealed', rowId: row!.id };
    expect(await cipher.decrypt(row!.secret_sealed, context)).toBe(enrolment.secret);
    await expect(
      cipher.decrypt(row!.secret_sealed, { ...context, rowId: randomUUID() }),
    ).rejects.toThrow();
  });

  it('is not enrolled until a first valid code confirms it', async () => {
    const userId = await insertTestUser(db);
    const enrolment = await totp.beginEnrolment(userId, 'pending@example.fr');
    expect(await totp.isEnrolled(userId)).toBe(false);
    // A pending authenticator cannot be used to sign in.
    expect(await totp.verify(userId, codeAt(enrolment, 0))).toBe(false);
    expect(await totp.confirmEnrolment(userId, '000000')).toBe(false);
    expect(await totp.confirmEnrolment(userId, 'abcdef')).toBe(false);
    expect(await totp.isEnrolled(userId)).toBe(false);
    expect(await totp.confirmEnrolment(userId, codeAt(enrolment, 0))).toBe(true);
    expect(await totp.isEnrolled(userId)).toBe(true);
  });

  it('refuses a replayed code', async () => {
    const { userId, enrolment } = await enrolled();
    const code = codeAt(enrolment, 0);
    expect(await totp.verify(userId, code)).toBe(true);
    expect(await totp.verify(userId, code)).toBe(false);
    // Also the confirmation code (step -1) cannot be replayed to sign in.
    expect(await totp.verify(userId, codeAt(enrolment, -1))).toBe(false);
  });

  it('accepts codes one step early or late, and refuses two steps', async () => {
    const early = await enrolled(); // spent step -1 already
    expect(await totp.verify(early.userId, codeAt(early.enrolment, -2))).toBe(false);
    expect(await totp.verify(early.userId, codeAt(early.enrolment, 2))).toBe(false);
    expect(await totp.verify(early.userId, codeAt(early.enrolment, 1))).toBe(true);

    const userId = await insertTestUser(db);
    const enrolment = await totp.beginEnrolment(userId, 'drift@example.fr');
    expect(await totp.confirmEnrolment(userId, codeAt(enrolment, -2))).toBe(false);
    expect(await totp.confirmEnrolment(userId, codeAt(enrolment, 2))).toBe(false);
    expect(await totp.confirmEnrolment(userId, codeAt(enrolment, -1))).toBe(true);

    // A code is judged by the server's time: once the clock moves on, the same code is too old.
    const later = await enrolled();
    const now = codeAt(later.enrolment, 0);
    totp.at += 2 * STEP_MS;
    try {
      expect(await totp.verify(later.userId, now)).toBe(false);
    } finally {
      totp.at -= 2 * STEP_MS;
    }
  });

  it('refuses a code of an earlier step once a later one was used', async () => {
    const { userId, enrolment } = await enrolled();
    expect(await totp.verify(userId, codeAt(enrolment, 1))).toBe(true);
    expect(await totp.verify(userId, codeAt(enrolment, 0))).toBe(false);
  });

  it('lets exactly one of many concurrent submissions of a code through', async () => {
    const { userId, enrolment } = await enrolled();
    const code = codeAt(enrolment, 0);
    const results = await Promise.all(Array.from({ length: 12 }, () => totp.verify(userId, code)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('confirms an enrolment only once under concurrent submissions', async () => {
    const userId = await insertTestUser(db);
    const enrolment = await totp.beginEnrolment(userId, 'race@example.fr');
    const code = codeAt(enrolment, 0);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => totp.confirmEnrolment(userId, code)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await totp.verify(userId, code)).toBe(false);
  });

  it('lets a pending enrolment expire', async () => {
    const userId = await insertTestUser(db);
    const enrolment = await totp.beginEnrolment(userId, 'late@example.fr');
    await db.query(
      `UPDATE mfa_totp_credentials SET created_at = now() - interval '16 minutes'
       WHERE user_id = $1`,
      [userId],
    );
    expect(await totp.confirmEnrolment(userId, codeAt(enrolment, 0))).toBe(false);
  });

  it('replaces the old authenticator only when a new one is confirmed', async () => {
    const { userId, enrolment: first } = await enrolled();
    const second = await totp.beginEnrolment(userId, 'replace@example.fr');
    // Until the new one is confirmed the old one keeps working.
    expect(await totp.verify(userId, codeAt(first, 0))).toBe(true);
    expect(await totp.confirmEnrolment(userId, codeAt(second, 1))).toBe(true);
    expect(await totp.verify(userId, codeAt(first, 1))).toBe(false);
    const rows = await db.query<unknown[]>(
      `SELECT 1 FROM mfa_totp_credentials WHERE user_id = $1`,
      [userId],
    );
    expect(rows).toHaveLength(1);
  });

  it("does not accept a secret copied into another user's row", async () => {
    const victim = await enrolled();
    const attacker = await enrolled();
    await db.query(
      `UPDATE mfa_totp_credentials SET secret_sealed =
         (SELECT secret_sealed FROM mfa_totp_credentials WHERE user_id = $1)
       WHERE user_id = $2`,
      [victim.userId, attacker.userId],
    );
    await expect(totp.verify(attacker.userId, codeAt(victim.enrolment, 1))).rejects.toThrow();
  });

  it('removes every authenticator of a user', async () => {
    const { userId, enrolment } = await enrolled();
    await totp.remove(userId);
    expect(await totp.isEnrolled(userId)).toBe(false);
    expect(await totp.verify(userId, codeAt(enrolment, 1))).toBe(false);
  });
});
