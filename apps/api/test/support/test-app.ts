import { randomBytes } from 'node:crypto';
import 'reflect-metadata';
import type { ModuleMetadata } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { inject } from 'vitest';
import { createApp } from '../../src/app.factory';
import { loadConfig, type AppConfig } from '../../src/config/app-config';
import './test-env';

/** A running test instance of the API and how it was configured. */
export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  /** Base URL when started with `listen: true`. */
  url: string;
  close(): Promise<void>;
}

/** Options of {@link startTestApp}. */
export interface TestAppOptions {
  env?: Record<string, string>;
  extraImports?: ModuleMetadata['imports'];
  logger?: Logger;
  /** Listen on a real port (for tests that need a socket, e.g. graceful shutdown). */
  listen?: boolean;
}

/**
 * Starts the real application against the run's PostgreSQL database (runtime role) and Redis,
 * with a key prefix of its own so rate limits and caches never leak between tests.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const env = inject('testEnv');
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    REDIS_KEY_PREFIX: `${env.keyPrefix}${randomBytes(4).toString('hex')}:`,
    ...options.env,
  });
  const app = await createApp(config, {
    ...(options.logger ? { logger: options.logger } : {}),
    extraImports: options.extraImports ?? [],
  });
  let url = '';
  if (options.listen) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = await app.getUrl();
    url = url.replace('[::1]', '127.0.0.1');
  } else {
    await app.getHttpAdapter().getInstance().ready();
  }
  return { app, config, url, close: () => app.close() };
}
