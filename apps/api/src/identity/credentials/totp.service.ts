import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { HOTP, Secret, TOTP } from 'otpauth';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import {
  FIELD_CIPHER,
  type FieldCipher,
  type FieldContext,
} from '../../privacy/encryption/field-cipher';

/** RFC 6238 parameters every authenticator app supports: SHA-1, 6 digits, 30-second steps. */
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** Accepted drift: the previous, current and next step (±30 s), RFC 6238 §5.2. */
export const TOTP_WINDOW = 1;
/** Secret size: 160 bits, the HMAC-SHA-1 block-friendly size RFC 4226 recommends. */
const SECRET_BYTES = 20;
/** An enrolment not confirmed within this time must be started again. */
export const TOTP_ENROLMENT_TTL_SECONDS = 15 * 60;

const TABLE = 'mfa_totp_credentials';
const CODE = /^\d{6}$/;

/** What the user needs to add the account to an authenticator app. Shown once, never stored. */
export interface TotpEnrolment {
  credentialId: string;
  /** `otpauth://totp/...` for the QR code. */
  uri: string;
  /** The base32 secret, for typing in by hand. */
  secret: string;
}

interface CredentialRow {
  id: string;
  secret_sealed: string;
}

/**
 * Time-based one-time passwords (RFC 6238) as a second factor.
 *
 * - The 160-bit secret comes from the CSPRNG and is stored **sealed** by the {@link FieldCipher}
 *   (AES-256-GCM bound to table, column and row id), never in clear.
 * - Enrolment is pending until the user proves possession with a first valid code; a pending
 *   enrolment expires after 15 minutes; confirming a new one replaces the previous authenticator.
 * - Codes are accepted within ±1 time step and are **single-use**: the last accepted step is kept
 *   per credential and a code is accepted only for a strictly later step, decided by one
 *   conditional `UPDATE … WHERE last_used_step < $step RETURNING`, so two concurrent submissions
 *   of the same code cannot both pass, even on two API instances.
 * - Time comes from the server clock, never from the client.
 *
 * Callers must throttle attempts per account (the login throttle): a 6-digit code with ±1 step
 * has a 3-in-a-million chance per guess.
 */
@Injectable()
export class TotpService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The server clock (ms); tests override it to move time. */
  protected now(): number {
    return Date.now();
  }

  /**
   * Starts (or restarts) enrolment for `userId`: a new secret replaces any pending one. The
   * existing confirmed authenticator, if any, keeps working until the new one is confirmed.
   * `accountLabel` names the account in the app (usually the email address).
   */
  async beginEnrolment(userId: string, accountLabel: string): Promise<TotpEnrolment> {
    const id = randomUUID();
    const secret = new Secret({ buffer: Uint8Array.from(randomBytes(SECRET_BYTES)).buffer });
    const sealed = await this.cipher.encrypt(secret.base32, this.context(id));
    await this.db.query(
      `INSERT INTO mfa_totp_credentials (id, user_id, secret_sealed)
       VALUES ($1, $2, $3)
       ON CONFLICT (user_id) WHERE confirmed_at IS NULL
       DO UPDATE SET id = EXCLUDED.id, secret_sealed = EXCLUDED.secret_sealed,
                     last_used_step = 0, created_at = now()`,
      [id, userId, sealed],
    );
    const totp = new TOTP({
      issuer: this.config.shopName,
      label: accountLabel,
      secret,
      algorithm: 'SHA1',
      digits: TOTP_DIGITS,
      period: TOTP_PERIOD_SECONDS,
    });
    return { credentialId: id, uri: totp.toString(), secret: secret.base32 };
  }

  /**
   * Confirms the pending enrolment with a first valid code. On success the new authenticator
   * replaces any earlier one, and the code is spent. Returns false for a wrong, replayed or late
   * code, or when nothing is pending.
   */
  async confirmEnrolment(userId: string, code: string): Promise<boolean> {
    const pending = await this.db.query<CredentialRow[]>(
      `SELECT id, secret_sealed FROM mfa_totp_credentials
       WHERE user_id = $1 AND confirmed_at IS NULL
         AND created_at > now() - make_interval(secs => $2)`,
      [userId, TOTP_ENROLMENT_TTL_SECONDS],
    );
    const row = pending[0];
    if (!row) return false;
    const step = await this.matchingStep(row, code);
    if (step === undefined) return false;
    return this.db
      .transaction(async (tx) => {
        await tx.query(
          `DELETE FROM mfa_totp_credentials
         WHERE user_id = $1 AND confirmed_at IS NOT NULL AND id <> $2`,
          [userId, row.id],
        );
        const confirmed = await tx.query<{ id: string }[]>(
          `WITH confirmed AS (
             UPDATE mfa_totp_credentials SET confirmed_at = now(), last_used_step = $3
             WHERE id = $1 AND user_id = $2 AND confirmed_at IS NULL AND last_used_step < $3
             RETURNING id)
           SELECT id FROM confirmed`,
          [row.id, userId, step],
        );
        // Lost a race with a concurrent confirmation: undo the deletion above.
        if (confirmed.length === 0) throw new ConfirmationLost();
        return true;
      })
      .catch((error: unknown) => {
        if (error instanceof ConfirmationLost) return false;
        throw error;
      });
  }

  /**
   * Checks a code from the user's confirmed authenticator and spends it. Returns false for a
   * wrong code, a code already used (replay), an older step than one already used, or when the
   * user has no confirmed authenticator.
   */
  async verify(userId: string, code: string): Promise<boolean> {
    const rows = await this.db.query<CredentialRow[]>(
      `SELECT id, secret_sealed FROM mfa_totp_credentials
       WHERE user_id = $1 AND confirmed_at IS NOT NULL`,
      [userId],
    );
    const row = rows[0];
    if (!row) return false;
    const step = await this.matchingStep(row, code);
    if (step === undefined) return false;
    // The single-use guarantee: only a strictly later step than the last accepted one passes,
    // decided atomically by the row update (in a CTE, so the driver hands back the rows: TypeORM
    // wraps the result of a bare UPDATE).
    const spent = await this.db.query<{ id: string }[]>(
      `WITH spent AS (
         UPDATE mfa_totp_credentials SET last_used_step = $3
         WHERE id = $1 AND user_id = $2 AND confirmed_at IS NOT NULL AND last_used_step < $3
         RETURNING id)
       SELECT id FROM spent`,
      [row.id, userId, step],
    );
    return spent.length === 1;
  }

  /** True when the user has a confirmed authenticator. */
  async isEnrolled(userId: string): Promise<boolean> {
    const rows = await this.db.query<unknown[]>(
      `SELECT 1 FROM mfa_totp_credentials WHERE user_id = $1 AND confirmed_at IS NOT NULL`,
      [userId],
    );
    return rows.length > 0;
  }

  /** Removes the user's authenticators, confirmed and pending (MFA reset, account erasure). */
  async remove(userId: string): Promise<void> {
    await this.db.query(`DELETE FROM mfa_totp_credentials WHERE user_id = $1`, [userId]);
  }

  /** The highest time step within ±{@link TOTP_WINDOW} whose code equals `code`, if any. */
  private async matchingStep(row: CredentialRow, code: string): Promise<number | undefined> {
    const typed = code.replace(/\s+/g, '');
    if (!CODE.test(typed)) return undefined;
    const secret = Secret.fromBase32(
      await this.cipher.decrypt(row.secret_sealed, this.context(row.id)),
    );
    const current = Math.floor(this.now() / 1000 / TOTP_PERIOD_SECONDS);
    let matched: number | undefined;
    // Every step in the window is computed and compared in constant time, match or not.
    for (let step = current - TOTP_WINDOW; step <= current + TOTP_WINDOW; step += 1) {
      const expected = HOTP.generate({
        secret,
        counter: step,
        digits: TOTP_DIGITS,
        algorithm: 'SHA1',
      });
      if (timingSafeEqual(Buffer.from(expected), Buffer.from(typed))) matched = step;
    }
    return matched;
  }

  private context(rowId: string): FieldContext {
    return { table: TABLE, column: 'secret_sealed', rowId };
  }
}

class ConfirmationLost extends Error {}
