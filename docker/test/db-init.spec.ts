/**
 * Runs docker/db-init/10-roles.sql for real with psql against the PostgreSQL of the machine
 * (127.0.0.1:5432, user postgres), in a scratch database and inside a transaction that is
 * rolled back, so no role survives the test. Role names get a random suffix so the test never
 * collides with roles other suites create. PostgreSQL is required (as for the API's tests): an
 * unreachable server fails the suite rather than skipping it.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDocker } from './helpers.js';

const PG = [
  '-h',
  process.env.PGHOST ?? '127.0.0.1',
  '-U',
  process.env.PGUSER ?? 'postgres',
  '-X',
  '-q',
];

function psql(
  args: string[],
  input = '',
  env: Record<string, string> = {},
): { code: number | null; out: string; err: string } {
  const r = spawnSync('psql', [...PG, ...args], {
    input,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return { code: r.error ? -1 : r.status, out: r.stdout, err: r.stderr };
}

describe('docker/db-init/10-roles.sql on a real PostgreSQL', () => {
  const suffix = randomBytes(4).toString('hex');
  const db = `docker_dbinit_${suffix}`;
  const migrator = `dbinit_migrator_${suffix}`;
  const app = `dbinit_app_${suffix}`;
  const dir = mkdtempSync(join(tmpdir(), 'dbinit-'));
  const sqlFile = join(dir, 'roles.sql');
  const secrets = {
    MIGRATOR_DB_PASSWORD: randomBytes(16).toString('hex'),
    APP_DB_PASSWORD: randomBytes(16).toString('hex'),
  };

  beforeAll(() => {
    const sql = readDocker('db-init/10-roles.sql')
      .replaceAll('storefront_migrator', migrator)
      .replaceAll('storefront_app', app);
    writeFileSync(sqlFile, sql);
    expect(psql(['-d', 'postgres', '-c', `CREATE DATABASE ${db}`]).code).toBe(0);
  });

  afterAll(() => {
    psql(['-d', 'postgres', '-c', `DROP DATABASE IF EXISTS ${db}`]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the role script then `probe` in one transaction that is rolled back; returns key|value rows. */
  function run(
    probe: string,
    env: Record<string, string>,
  ): { code: number | null; rows: Map<string, string>; err: string } {
    const script = `\\set ON_ERROR_STOP on\nBEGIN;\n\\i ${sqlFile}\n${probe}\nROLLBACK;\n`;
    const r = psql(['-d', db, '-tA', '-F', '|'], script, env);
    const rows = new Map(
      r.out
        .split('\n')
        .filter((l) => l.includes('|'))
        .map((l) => l.split('|') as [string, string]),
    );
    return { code: r.code, rows, err: r.err };
  }

  it('creates a DML-only runtime role and an owner role for migrations', () => {
    const probe = `
SET ROLE ${migrator};
CREATE TABLE probe (id bigserial PRIMARY KEY, v text);
RESET ROLE;
SET ROLE ${app};
INSERT INTO probe (v) VALUES ('inserted by the runtime role');
UPDATE probe SET v = 'updated';
RESET ROLE;
SELECT 'owner', pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'probe';
SELECT 'dml', has_table_privilege('${app}', 'probe', 'SELECT,INSERT,UPDATE,DELETE');
SELECT 'truncate', has_table_privilege('${app}', 'probe', 'TRUNCATE');
SELECT 'references', has_table_privilege('${app}', 'probe', 'REFERENCES');
SELECT 'trigger', has_table_privilege('${app}', 'probe', 'TRIGGER');
SELECT 'create_in_schema', has_schema_privilege('${app}', 'public', 'CREATE');
SELECT 'migrator_create_in_schema', has_schema_privilege('${migrator}', 'public', 'CREATE');
SELECT 'sequence', has_sequence_privilege('${app}', 'probe_id_seq', 'USAGE,SELECT');
SELECT 'sequence_update', has_sequence_privilege('${app}', 'probe_id_seq', 'UPDATE');
SELECT 'public_connect', has_database_privilege('public', current_database(), 'CONNECT');
SELECT 'super', bool_or(rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls) FROM pg_roles WHERE rolname IN ('${app}', '${migrator}');
SELECT 'rows', count(*) FROM probe WHERE v = 'updated';
SELECT 'timeout', array_to_string(setconfig, ',') FROM pg_db_role_setting WHERE setrole = '${app}'::regrole;
`;
    const { code, rows, err } = run(probe, secrets);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(Object.fromEntries(rows)).toEqual({
      owner: migrator,
      dml: 't',
      truncate: 'f',
      references: 'f',
      trigger: 'f',
      create_in_schema: 'f',
      migrator_create_in_schema: 't',
      sequence: 't',
      sequence_update: 'f',
      public_connect: 'f',
      super: 'f',
      rows: '1',
      timeout: 'statement_timeout=15s,idle_in_transaction_session_timeout=30s',
    });
  });

  it('stops the runtime role from changing the schema', () => {
    const probe = `
SET ROLE ${migrator};
CREATE TABLE probe (id int);
RESET ROLE;
SET ROLE ${app};
DROP TABLE probe;
`;
    const { code, err } = run(probe, secrets);
    expect(code).not.toBe(0);
    expect(err).toMatch(/must be owner of table probe/);
  });

  it('refuses to create roles when a password variable is missing', () => {
    const { code, err } = run('', { MIGRATOR_DB_PASSWORD: secrets.MIGRATOR_DB_PASSWORD });
    expect(code).not.toBe(0);
    expect(err).toMatch(/APP_DB_PASSWORD is not set/);
  });
});
