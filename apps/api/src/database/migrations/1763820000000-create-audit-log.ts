import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit trail: an append-only, hash-chained table of security and staff events.
 *
 * - `seq` is gapless: the application assigns `last + 1` while holding a transaction-scoped
 *   advisory lock, so a missing number means a deleted row (a sequence would leave gaps on
 *   rollback and hide deletions).
 * - `hash` = HMAC-SHA-256 (key outside the database) over the row and `prev_hash`; see
 *   `apps/api/src/audit/audit-chain.ts`.
 * - Append-only twice over: a trigger (ENABLE ALWAYS, so `session_replication_role` cannot skip it)
 *   refuses UPDATE, DELETE and TRUNCATE for every role, the owner included; and every role but the
 *   owner loses UPDATE, DELETE and TRUNCATE on the table (default privileges grant them to the
 *   runtime role). Only the owner can disable the trigger, and the hash chain shows what it did.
 * - CHECK constraints keep personal data out: identifiers cannot hold `@` or spaces, the client
 *   address is only a 22-character pseudonym, `details` is a JSON object.
 */
export class CreateAuditLog1763820000000 implements MigrationInterface {
  name = 'CreateAuditLog1763820000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_log (
        seq          bigint PRIMARY KEY CHECK (seq > 0),
        occurred_at  timestamptz NOT NULL,
        actor_type   varchar(16) NOT NULL
                     CHECK (actor_type IN ('customer', 'staff', 'system', 'anonymous')),
        actor_id     varchar(64) CHECK (actor_id ~ '^[A-Za-z0-9_.:-]{1,64}$'),
        action       varchar(64) NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$'),
        target_type  varchar(32) CHECK (target_type ~ '^[a-z][a-z0-9_]{0,31}$'),
        target_id    varchar(64) CHECK (target_id ~ '^[A-Za-z0-9_.:-]{1,64}$'),
        client       varchar(22) CHECK (client ~ '^[A-Za-z0-9_-]{22}$'),
        request_id   varchar(128) CHECK (request_id ~ '^[A-Za-z0-9._-]{1,128}$'),
        details      jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(details) = 'object'),
        key_id       char(16) NOT NULL CHECK (key_id ~ '^[0-9a-f]{16}$'),
        prev_hash    char(64) NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        hash         char(64) NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
        CHECK ((actor_type = 'anonymous') = (actor_id IS NULL)),
        CHECK ((target_type IS NULL) = (target_id IS NULL))
      )`);
    await q.query(`CREATE INDEX audit_log_occurred_at_idx ON audit_log (occurred_at)`);
    await q.query(`CREATE INDEX audit_log_action_idx ON audit_log (action, seq)`);
    await q.query(
      `CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, seq) WHERE actor_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX audit_log_target_idx ON audit_log (target_type, target_id, seq) WHERE target_id IS NOT NULL`,
    );

    await q.query(`
      CREATE FUNCTION audit_log_refuse_change() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await q.query(`
      CREATE TRIGGER audit_log_append_only
        BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change()`);
    await q.query(`
      CREATE TRIGGER audit_log_no_truncate
        BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change()`);
    await q.query(`ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_append_only`);
    await q.query(`ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_no_truncate`);

    // Whoever got table rights by default privileges (the runtime role) keeps SELECT and INSERT.
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC`);
    await q.query(`
      DO $$
      DECLARE grantee_name text;
      BEGIN
        FOR grantee_name IN
          SELECT DISTINCT a.grantee::regrole::text
            FROM pg_class c, aclexplode(c.relacl) a
           WHERE c.oid = 'audit_log'::regclass
             AND a.grantee <> 0
             AND a.grantee <> c.relowner
        LOOP
          EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM %s', grantee_name);
        END LOOP;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP FUNCTION audit_log_refuse_change()`);
  }
}
