import { randomBytes } from 'node:crypto';
import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { loadConfig, type AppConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { DatabaseModule } from '../../src/database/database.module';
import { EncryptionModule } from '../../src/privacy/encryption/encryption.module';
import '../support/test-env';

/** The application's configuration, database and encryption modules — nothing else. */
@Module({})
class EncryptionHostModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: EncryptionHostModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, EncryptionModule],
    };
  }
}

/** A Nest context holding the real {@link EncryptionModule} on the given database. */
export function startEncryptionContext(config: AppConfig): Promise<INestApplicationContext> {
  // Nest declares its options as a class but documents and accepts plain objects.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  return NestFactory.createApplicationContext(EncryptionHostModule.forRoot(config), {
    logger: false,
    abortOnError: false,
  });
}

/** A migrated database of its own, so keyring assertions see no other test's keys. */
export interface KeyringDatabase {
  url: string;
  /** Owner connection, for inspecting and tampering with rows. */
  owner: DataSource;
  config(env?: Record<string, string>): AppConfig;
  drop(): Promise<void>;
}

/* eslint-disable no-restricted-syntax -- database names are generated here, never input. */
export async function createKeyringDatabase(): Promise<KeyringDatabase> {
  const base = new URL(inject('testEnv').ownerDatabaseUrl);
  const name = `${base.pathname.slice(1)}_keys_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const config = (env: Record<string, string> = {}) =>
    loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: url.toString(), ...env });
  const owner = await new DataSource(dataSourceOptions(config(), 'migrate')).initialize();
  await owner.runMigrations({ transaction: 'each' });
  return {
    url: url.toString(),
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
