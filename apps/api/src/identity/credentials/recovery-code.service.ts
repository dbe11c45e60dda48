import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  RECOVERY_CODE_COUNT,
  generateRecoveryCode,
  normaliseRecoveryCode,
  recoveryCodeDigest,
} from './recovery-code';

/**
 * One-time recovery codes (ASVS "lookup secrets"): the way back in when the authenticator is
 * lost.
 *
 * - A set is {@link RECOVERY_CODE_COUNT} codes of 120 bits each from the CSPRNG, returned once
 *   for the user to keep; only their SHA-256 digests are stored (see `recoveryCodeDigest`).
 * - A code works once: it is spent by one conditional `UPDATE … WHERE used_at IS NULL RETURNING`,
 *   so two concurrent submissions of the same code cannot both succeed.
 * - Generating a new set replaces the old one entirely (used and unused), under a per-user
 *   transaction lock so two concurrent regenerations cannot leave both sets alive.
 *
 * Callers must throttle attempts per account, as for every authentication factor.
 */
@Injectable()
export class RecoveryCodeService {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** Replaces the user's codes with a fresh set and returns it, formatted, to show once. */
  async regenerate(userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
    const digests = codes.map((code) => recoveryCodeDigest(userId, code.canonical));
    await this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `mfa-recovery-codes:${userId}`,
      ]);
      await tx.query(`DELETE FROM mfa_recovery_codes WHERE user_id = $1`, [userId]);
      await tx.query(
        `INSERT INTO mfa_recovery_codes (user_id, code_hash)
         SELECT $1, digest FROM unnest($2::bytea[]) AS digest`,
        [userId, digests],
      );
    });
    return codes.map((code) => code.display);
  }

  /**
   * Spends a code. True only the first time a valid, unused code of this user is presented;
   * false for a wrong, malformed, already used or another user's code.
   */
  async consume(userId: string, typed: string): Promise<boolean> {
    const canonical = normaliseRecoveryCode(typed);
    if (canonical === undefined) return false;
    // In a CTE so the driver returns the rows (TypeORM wraps a bare UPDATE's result).
    const spent = await this.db.query<{ id: string }[]>(
      `WITH spent AS (
         UPDATE mfa_recovery_codes SET used_at = now()
         WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL
         RETURNING id)
       SELECT id FROM spent`,
      [userId, recoveryCodeDigest(userId, canonical)],
    );
    return spent.length === 1;
  }

  /** How many unused codes the user has left (prompt to regenerate when low). */
  async remaining(userId: string): Promise<number> {
    const rows = await this.db.query<{ count: string }[]>(
      `SELECT count(*) AS count FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL`,
      [userId],
    );
    return Number(rows[0]?.count ?? 0);
  }

  /** Deletes every code of the user (MFA reset, account erasure). */
  async removeAll(userId: string): Promise<void> {
    await this.db.query(`DELETE FROM mfa_recovery_codes WHERE user_id = $1`, [userId]);
  }
}
