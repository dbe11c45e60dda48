import { randomUUID } from 'node:crypto';
import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { inject } from 'vitest';
import '../../../test/support/test-env';
import { loadConfig } from '../../config/app-config';
import { ConfigModule } from '../../config/config.module';
import { DatabaseModule } from '../../database/database.module';
import { EncryptionModule } from '../../privacy/encryption/encryption.module';
import { CredentialsModule } from './credentials.module';

/**
 * A Nest context with exactly what {@link CredentialsModule} needs, as the application wires it:
 * the run's PostgreSQL database through the runtime (DML-only) role and the real field cipher.
 * For the integration specs of this folder.
 */
export async function openCredentialsContext(
  env: Record<string, string> = {},
): Promise<INestApplicationContext> {
  const testEnv = inject('testEnv');
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: testEnv.databaseUrl,
    SHOP_NAME: 'Maison Lumière',
    ...env,
  });

  @Module({
    imports: [ConfigModule.forRoot(config), DatabaseModule, EncryptionModule, CredentialsModule],
  })
  class CredentialsTestRoot {}

  // Nest declares its options as a class but documents and accepts plain objects.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  return NestFactory.createApplicationContext(CredentialsTestRoot, {
    logger: false,
    abortOnError: false,
  });
}

/**
 * Inserts a bare customer account and returns its id: second factors reference `users(id)`.
 * The sealed email is test filler (never decrypted here); the blind index is unique per row.
 */
export async function insertTestUser(db: DataSource): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO users (id, kind, email_sealed, email_index, status) VALUES ($1, 'customer', 'test', $2, 'active')`,
    [id, `test-${id}`],
  );
  return id;
}
