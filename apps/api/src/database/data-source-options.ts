import { readFileSync } from 'node:fs';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { CATALOGUE_ENTITIES } from '../catalogue/entities';
import { IDENTITY_ENTITIES } from '../identity/entities';
import { PASSKEY_ENTITIES } from '../identity/passkeys/webauthn-credential.entity';
import { ENCRYPTION_ENTITIES } from '../privacy/encryption/encryption-key.entity';
import { MIGRATIONS } from './migrations';
import { serialPgliteDriver } from './serial-pglite-pool';

/** Every entity of the application. A new bounded context adds its list here. */
export const ENTITIES = [
  ...CATALOGUE_ENTITIES,
  ...IDENTITY_ENTITIES,
  ...PASSKEY_ENTITIES,
  ...ENCRYPTION_ENTITIES,
];

/**
 * TypeORM options for the configured database. `purpose: 'migrate'` connects with the migration
 * URL (the schema owner); the runtime connection needs only DML rights. `synchronize` is never on:
 * schema changes go through committed migrations.
 */
export function dataSourceOptions(
  config: AppConfig,
  purpose: 'runtime' | 'migrate' = 'runtime',
): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    // gen_random_uuid() is built into PostgreSQL 13+: no extension to install, no superuser needed.
    installExtensions: false,
    uuidExtension: 'pgcrypto' as const,
  };
  const db = config.database;
  if (db.kind === 'embedded') {
    return { ...common, driver: serialPgliteDriver(db.dataDir), poolSize: 1 };
  }
  const ssl =
    db.ssl === 'disable'
      ? false
      : db.ssl === 'require'
        ? { rejectUnauthorized: false }
        : { rejectUnauthorized: true, ca: readFileSync(db.sslCaFile ?? '', 'utf8') };
  return {
    ...common,
    url: purpose === 'migrate' ? db.migrationUrl : db.url,
    ssl,
    poolSize: purpose === 'migrate' ? 1 : db.poolSize,
    applicationName: purpose === 'migrate' ? 'storefront-migrate' : 'storefront-api',
    extra: {
      statement_timeout: db.statementTimeoutMs,
      idle_in_transaction_session_timeout: db.statementTimeoutMs * 2,
      connectionTimeoutMillis: 3_000,
    },
  };
}
