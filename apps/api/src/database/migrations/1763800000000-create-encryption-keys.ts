import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Field-level encryption: the keyring of wrapped data keys (`encryption_keys`, at most one active
 * key, enforced by a partial unique index) and the progress of re-encryption runs
 * (`encryption_reencryption_progress`), so a stopped run resumes where it stopped.
 */
export class CreateEncryptionKeys1763800000000 implements MigrationInterface {
  name = 'CreateEncryptionKeys1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE encryption_keys (
        id          varchar(64) PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
        wrapped_key bytea NOT NULL CHECK (octet_length(wrapped_key) BETWEEN 1 AND 4096),
        provider    varchar(16) NOT NULL CHECK (provider IN ('local', 'aws-kms')),
        kek_id      varchar(2048) NOT NULL,
        status      varchar(16) NOT NULL CHECK (status IN ('active', 'retired')),
        created_at  timestamptz NOT NULL DEFAULT now(),
        retired_at  timestamptz,
        CHECK ((status = 'retired') = (retired_at IS NOT NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX encryption_keys_one_active ON encryption_keys (status) WHERE status = 'active'`,
    );
    await q.query(`
      CREATE TABLE encryption_reencryption_progress (
        table_name    varchar(63) NOT NULL,
        column_name   varchar(63) NOT NULL,
        target_key_id varchar(64) NOT NULL REFERENCES encryption_keys(id) ON DELETE RESTRICT,
        last_row_id   text,
        resealed      bigint NOT NULL DEFAULT 0 CHECK (resealed >= 0),
        skipped       bigint NOT NULL DEFAULT 0 CHECK (skipped >= 0),
        started_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        completed_at  timestamptz,
        PRIMARY KEY (table_name, column_name, target_key_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE encryption_reencryption_progress`);
    await q.query(`DROP TABLE encryption_keys`);
  }
}
