import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import 'reflect-metadata';
import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { loadConfig, type AppConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { PinoNestLogger, createLogger } from '../../src/core/logging/logger';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { DatabaseModule } from '../../src/database/database.module';
import { MailModule } from '../../src/mail/mail.module';
import { EncryptionModule } from '../../src/privacy/encryption/encryption.module';
import '../support/test-env';

/** Configuration, database, field encryption and mail — the API's `MailModule.forRoot()` or the
 * worker process's `forWorkerProcess()`. */
@Module({})
class MailHostModule {
  static forRoot(config: AppConfig, role: 'api' | 'worker'): DynamicModule {
    return {
      module: MailHostModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        EncryptionModule,
        role === 'api' ? MailModule.forRoot() : MailModule.forWorkerProcess(),
      ],
    };
  }
}

/** Captured JSON log lines. */
export interface LogCapture {
  logger: ReturnType<typeof createLogger>;
  text(): string;
}

/** A pino logger writing into memory. */
export function captureLogs(): LogCapture {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('debug', stream), text: () => chunks.join('') };
}

/** Starts a Nest context with the mail module as the API (`api`) or the worker process has it. */
export function startMailContext(
  config: AppConfig,
  role: 'api' | 'worker' = 'api',
  logs?: LogCapture,
): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(
    MailHostModule.forRoot(config, role),
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    { logger: logs ? new PinoNestLogger(logs.logger) : false, abortOnError: false },
  );
}

/**
 * A migrated database of its own: sweepers of other test files' apps (which share the run's
 * database) never see these rows, and ours never see theirs. The application connects with the
 * run's DML-only role, as in production.
 */
export interface MailDatabase {
  runtimeUrl: string;
  /** Owner connection, for reading raw rows. */
  owner: DataSource;
  /** A second runtime DataSource that the mail relay is not subscribed to: committing an outbox
   * row through it is what a crash between commit and enqueue leaves behind. */
  detached: DataSource;
  config(env?: Record<string, string>): AppConfig;
  drop(): Promise<void>;
}

/* eslint-disable no-restricted-syntax -- identifiers are generated here, never input. */
export async function createMailDatabase(): Promise<MailDatabase> {
  const testEnv = inject('testEnv');
  const base = new URL(testEnv.ownerDatabaseUrl);
  const name = `${base.pathname.slice(1)}_mail_${randomBytes(4).toString('hex')}`;
  const role = new URL(testEnv.databaseUrl).username;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();

  const ownerUrl = new URL(base);
  ownerUrl.pathname = `/${name}`;
  const runtimeUrl = new URL(testEnv.databaseUrl);
  runtimeUrl.pathname = `/${name}`;

  const config = (env: Record<string, string> = {}) =>
    loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug',
      DATABASE_URL: runtimeUrl.toString(),
      REDIS_URL: testEnv.redisUrl,
      REDIS_KEY_PREFIX: `${testEnv.keyPrefix}mail-${randomBytes(4).toString('hex')}:`,
      PUBLIC_BASE_URL: 'https://shop.example',
      MAIL_FROM: 'Storefront <no-reply@shop.example>',
      MAIL_RETRY_BASE_DELAY_MS: '100',
      MAIL_SWEEP_INTERVAL_MS: '200',
      MAIL_MAX_ATTEMPTS: '5',
      ...env,
    });

  const owner = await new DataSource(
    dataSourceOptions(
      loadConfig({ NODE_ENV: 'test', DATABASE_URL: ownerUrl.toString() }),
      'migrate',
    ),
  ).initialize();
  await owner.runMigrations({ transaction: 'each' });
  await owner.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
  await owner.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
  await owner.query(
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`,
  );
  await owner.query(`REVOKE ALL ON schema_migrations FROM ${role}`);
  const detached = await new DataSource(dataSourceOptions(config())).initialize();

  return {
    runtimeUrl: runtimeUrl.toString(),
    owner,
    detached,
    config,
    drop: async () => {
      await detached.destroy();
      await owner.destroy();
      const cleanup = new pg.Client({ connectionString: base.toString() });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
/* eslint-enable no-restricted-syntax */

/** An outbox row as stored (owner's view). */
export interface RawOutboxRow {
  id: string;
  template: string;
  locale: string;
  recipient_sealed: string | null;
  params_sealed: string | null;
  status: string;
  attempts: number;
  queued_at: Date | null;
  sent_at: Date | null;
  last_error_code: string | null;
}

/** Reads row `id` as stored. */
export async function rawRow(db: MailDatabase, id: string): Promise<RawOutboxRow | undefined> {
  const rows: RawOutboxRow[] = await db.owner.query(`SELECT * FROM mail_outbox WHERE id = $1`, [
    id,
  ]);
  return rows[0];
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A unique recipient for one test. */
export function uniqueRecipient(tag: string): string {
  return `${tag}-${randomBytes(5).toString('hex')}@example.test`;
}

/** A token shaped like the identity context's (32 random bytes, base64url). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}
