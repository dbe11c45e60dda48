import { readFileSync } from 'node:fs';
import { Signer } from '@aws-sdk/rds-signer';
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
 * pg's `password` for IAM database authentication: each new connection signs a fresh token
 * (valid 15 minutes) for the URL's host, port and user with the task role's credentials. Signing
 * is local (SigV4 presigning); no AWS call is made.
 */
export function iamAuthToken(databaseUrl: string): () => Promise<string> {
  const parsed = new URL(databaseUrl);
  const signer = new Signer({
    hostname: parsed.hostname,
    port: Number(parsed.port || 5432),
    username: decodeURIComponent(parsed.username),
  });
  return () => signer.getAuthToken();
}

/** Host, port, user and database of a `postgres://` URL (IAM mode: no password in it). */
function connectionPartsOf(databaseUrl: string) {
  const parsed = new URL(databaseUrl);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    username: decodeURIComponent(parsed.username),
    database: decodeURIComponent(parsed.pathname.slice(1)),
  };
}

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
  // verify-full checks the certificate against DATABASE_SSL_CA_FILE, or against Node's public
  // roots without one (RDS Proxy presents an Amazon Trust Services certificate).
  const ssl =
    db.ssl === 'disable'
      ? false
      : db.ssl === 'require'
        ? { rejectUnauthorized: false }
        : {
            rejectUnauthorized: true,
            ...(db.sslCaFile ? { ca: readFileSync(db.sslCaFile, 'utf8') } : {}),
          };
  const url = purpose === 'migrate' ? db.migrationUrl : db.url;
  return {
    ...common,
    // pg lets a connection string override a password function, so IAM mode passes the parts.
    ...(db.auth === 'iam' ? { ...connectionPartsOf(url), password: iamAuthToken(url) } : { url }),
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
