import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config';
import { dataSourceOptions } from '../database/data-source-options';
import { AuditKeyRing } from './audit-chain';
import { verifyAuditChain } from './audit-chain-verifier';
import { AuditTrail } from './audit-trail.service';
import { ClientPseudonymiser } from './client-pseudonymiser';

describe('audit trail on the embedded database (development default)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'storefront-audit-pglite-'));
  const config = loadConfig({ EMBEDDED_DATA_DIR: dir });
  const keys = new AuditKeyRing(config.audit.hmacKey);
  let db: DataSource;

  beforeAll(async () => {
    db = await new DataSource(dataSourceOptions(config)).initialize();
    await db.runMigrations();
  });
  afterAll(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends a verifiable chain and refuses changes, as on PostgreSQL', async () => {
    const trail = new AuditTrail(db, keys, new ClientPseudonymiser(config.audit.pseudonymKey));
    await Promise.all(
      Array.from({ length: 5 }, () =>
        trail.record(
          { actor: { type: 'system', id: 'dev' }, clientAddress: '127.0.0.1' },
          { action: 'account.registered', target: { type: 'user', id: randomUUID() }, details: {} },
        ),
      ),
    );
    expect(await verifyAuditChain(db, keys)).toMatchObject({ ok: true, rows: 5 });
    await expect(db.query(`DELETE FROM audit_log WHERE seq = 1`)).rejects.toThrow(
      /append-only: DELETE refused/,
    );
  });
});
