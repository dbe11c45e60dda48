import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The mail outbox: one row per transactional email, inserted in the transaction of the business
 * change it belongs to. The recipient and the template parameters are personal data (and links
 * with live tokens): they are stored sealed by the FieldCipher and erased once the message is
 * sent or given up — a CHECK makes a finished row that still holds them impossible. The status
 * row stays (what was sent, when, after how many attempts, the last error code).
 */
export class CreateMailOutbox1763810000000 implements MigrationInterface {
  name = 'CreateMailOutbox1763810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mail_outbox (
        id               uuid PRIMARY KEY,
        template         varchar(64) NOT NULL CHECK (template ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
        locale           varchar(8) NOT NULL CHECK (locale ~ '^[a-z]{2}(-[A-Z]{2})?$'),
        recipient_sealed text,
        params_sealed    text,
        status           varchar(16) NOT NULL DEFAULT 'pending'
                         CHECK (status IN ('pending', 'failed', 'sent', 'dead')),
        attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        queued_at        timestamptz,
        created_at       timestamptz NOT NULL DEFAULT now(),
        sent_at          timestamptz,
        last_error_code  varchar(64) CHECK (last_error_code ~ '^[A-Z0-9_]{1,64}$'),
        CONSTRAINT mail_outbox_sealed_only_while_unsent CHECK (
          CASE WHEN status IN ('pending', 'failed')
               THEN recipient_sealed IS NOT NULL AND params_sealed IS NOT NULL
               ELSE recipient_sealed IS NULL AND params_sealed IS NULL END),
        CONSTRAINT mail_outbox_sent_at_iff_sent CHECK ((status = 'sent') = (sent_at IS NOT NULL))
      )`);
    await q.query(`
      CREATE INDEX mail_outbox_unsent_idx ON mail_outbox (next_attempt_at)
        WHERE status IN ('pending', 'failed')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mail_outbox`);
  }
}
