import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Passkeys (identity/passkeys): WebAuthn public-key credentials registered by an account.
 *
 * - `credential_id` is the authenticator's credential id in base64url: unique across all accounts
 *   (a credential registered to one account can never be registered to another).
 * - `public_key` is the credential's COSE public key as the authenticator sent it; it is public by
 *   nature, so it is stored in clear.
 * - `sign_count` is the last signature counter seen (an unsigned 32-bit value); an assertion whose
 *   counter does not move forward is refused (see `passkey-credentials.repository.ts`).
 * - `user_handle` is the opaque WebAuthn user handle given to the authenticator (random, not the
 *   account id), which passwordless sign-in checks against the assertion.
 * - `name_sealed` is the name the account holder chose ("Alice's phone"): personal data, sealed by
 *   the FieldCipher (AAD = table, column `name`, row id).
 *
 * `user_id` references the account; deleting an account deletes its passkeys.
 */
export class CreateWebauthnCredentials1763860000000 implements MigrationInterface {
  name = 'CreateWebauthnCredentials1763860000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webauthn_credentials (
        id            uuid PRIMARY KEY,
        user_id       uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        credential_id text NOT NULL
          CHECK (char_length(credential_id) BETWEEN 1 AND 1364 AND credential_id ~ '^[A-Za-z0-9_-]+$'),
        public_key    bytea NOT NULL CHECK (octet_length(public_key) BETWEEN 1 AND 8192),
        sign_count    bigint NOT NULL DEFAULT 0 CHECK (sign_count BETWEEN 0 AND 4294967295),
        transports    text[] NOT NULL DEFAULT '{}',
        device_type   varchar(16) NOT NULL CHECK (device_type IN ('singleDevice', 'multiDevice')),
        backed_up     boolean NOT NULL DEFAULT false,
        user_handle   text NOT NULL
          CHECK (char_length(user_handle) BETWEEN 1 AND 128 AND user_handle ~ '^[A-Za-z0-9_-]+$'),
        aaguid        uuid NOT NULL,
        name_sealed   text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        last_used_at  timestamptz,
        CONSTRAINT webauthn_credentials_credential_id_uq UNIQUE (credential_id)
      )`);
    await q.query(`CREATE INDEX webauthn_credentials_user_idx ON webauthn_credentials (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webauthn_credentials`);
  }
}
