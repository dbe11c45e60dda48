import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Second factors (identity/credentials): TOTP authenticators and one-time recovery codes.
 *
 * - `mfa_totp_credentials.secret_sealed` holds the TOTP secret sealed by the FieldCipher (AAD =
 *   table, column, row id), never in clear. `last_used_step` is the last accepted RFC 6238 time
 *   step: a code is accepted only for a strictly greater step (single use). At most one confirmed
 *   and one pending authenticator per user.
 * - `mfa_recovery_codes.code_hash` is the SHA-256 digest of a 120-bit code; `used_at` marks it
 *   spent.
 *
 * `user_id` references the account; deleting an account deletes its second factors.
 */
export class CreateMfaCredentials1763830000000 implements MigrationInterface {
  name = 'CreateMfaCredentials1763830000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mfa_totp_credentials (
        id             uuid PRIMARY KEY,
        user_id        uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        secret_sealed  text NOT NULL,
        confirmed_at   timestamptz,
        last_used_step bigint NOT NULL DEFAULT 0 CHECK (last_used_step >= 0),
        created_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE UNIQUE INDEX mfa_totp_credentials_confirmed_uq
        ON mfa_totp_credentials (user_id) WHERE confirmed_at IS NOT NULL`);
    await q.query(`
      CREATE UNIQUE INDEX mfa_totp_credentials_pending_uq
        ON mfa_totp_credentials (user_id) WHERE confirmed_at IS NULL`);

    await q.query(`
      CREATE TABLE mfa_recovery_codes (
        id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        code_hash  bytea NOT NULL CHECK (octet_length(code_hash) = 32),
        used_at    timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT mfa_recovery_codes_user_code_uq UNIQUE (user_id, code_hash)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mfa_recovery_codes`);
    await q.query(`DROP TABLE mfa_totp_credentials`);
  }
}
