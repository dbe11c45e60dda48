import { randomBytes } from 'node:crypto';
import 'reflect-metadata';
import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { inject } from 'vitest';
import { loadConfig, type AppConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import '../support/test-env';

/** A database of its own for tests that tamper with the audit chain or need exact numbering. */
export interface ScratchDatabase {
  /** Owner connection (the schema owner, as `npm run migrate` uses). */
  owner: DataSource;
  /** Configuration pointing at the scratch database (used by the verify command). */
  config: AppConfig;
  drop(): Promise<void>;
}

/**
 * Creates an empty database next to the run's one and applies every migration as the owner.
 * The audit chain is shared by every test file of a run; tests that break it on purpose, or that
 * assert exact sequence numbers, use one of these instead.
 */
/* eslint-disable no-restricted-syntax -- database names are generated here, never input. */
export async function createScratchDatabase(
  options: {
    env?: Record<string, string>;
    /** Runs as the owner on the empty database, before the migrations. */
    beforeMigrations?: (owner: pg.Client) => Promise<void>;
  } = {},
): Promise<ScratchDatabase> {
  const base = new URL(inject('testEnv').ownerDatabaseUrl);
  const name = `${base.pathname.slice(1)}_audit_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  if (options.beforeMigrations) {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    await options.beforeMigrations(client);
    await client.end();
  }
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url.toString(), ...options.env });
  // A pool wide enough for concurrent appends to really contend.
  const ownerOptions = {
    ...dataSourceOptions(config, 'migrate'),
    poolSize: 12,
  } as DataSourceOptions;
  const owner = await new DataSource(ownerOptions).initialize();
  await owner.runMigrations({ transaction: 'each' });
  return {
    owner,
    config,
    drop: async () => {
      await owner.destroy();
      const cleanup = new pg.Client({ connectionString: base.toString() });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
