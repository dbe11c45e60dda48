import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts, their roles and emailed single-use tokens. Personal data is sealed by the
 * application (`*_sealed` columns); the email is looked up by its keyed blind index.
 */
export class CreateIdentity1763750000000 implements MigrationInterface {
  name = 'CreateIdentity1763750000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id                  uuid PRIMARY KEY,
        kind                varchar(16) NOT NULL CHECK (kind IN ('customer', 'staff')),
        email_sealed        text NOT NULL,
        email_index         varchar(128) NOT NULL UNIQUE,
        display_name_sealed text,
        password_hash       text,
        email_verified_at   timestamptz,
        status              varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
        password_changed_at timestamptz,
        created_at          timestamptz NOT NULL DEFAULT now(),
        updated_at          timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE user_roles (
        user_id    uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role       varchar(32) NOT NULL CHECK (role IN
                     ('customer', 'catalogue-editor', 'order-manager', 'support', 'administrator')),
        granted_by uuid REFERENCES users(id) ON DELETE SET NULL,
        granted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, role)
      )`);
    await q.query(`
      CREATE TABLE account_tokens (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id        uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        purpose        varchar(32) NOT NULL CHECK (purpose IN
                         ('verify-email', 'password-reset', 'change-email', 'staff-invite')),
        token_hash     varchar(64) NOT NULL UNIQUE,
        payload_sealed text,
        expires_at     timestamptz NOT NULL,
        used_at        timestamptz,
        created_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE account_tokens`);
    await q.query(`DROP TABLE user_roles`);
    await q.query(`DROP TABLE users`);
  }
}
