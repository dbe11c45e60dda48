import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { PinoNestLogger, createLogger } from '../core/logging/logger';
import { DatabaseModule } from '../database/database.module';
import { EncryptionModule } from '../privacy/encryption/encryption.module';
import { MailModule } from './mail.module';

/** The worker process's root: configuration, database, field encryption and the mail worker. */
@Module({})
export class MailWorkerRootModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: MailWorkerRootModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        EncryptionModule,
        MailModule.forWorkerProcess(),
      ],
    };
  }
}

/** Builds the worker's Nest context (no HTTP server); it starts working once created. */
export async function createMailWorkerContext(
  config: AppConfig,
  logger: Logger = createLogger(config.log.level),
): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(
    MailWorkerRootModule.forRoot(config),
    // Nest declares its options as a class but documents and accepts plain objects.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
    { logger: new PinoNestLogger(logger), abortOnError: false },
  );
}

/**
 * `node apps/api/dist/cli.js worker`: the mail worker as its own process, for deployments that
 * run the API with `MAIL_WORKER=off`. It needs the shared stores (PostgreSQL and Redis): without
 * Redis there is no queue to share, and the embedded database cannot be opened by two processes.
 * SIGTERM/SIGINT stop taking jobs, let the ones in progress finish, and close the connections.
 */
export async function runMailWorker(config: AppConfig): Promise<void> {
  if (config.redis.kind !== 'redis' || config.database.kind !== 'postgres') {
    process.stderr.write(
      'the mail worker process needs DATABASE_URL and REDIS_URL; without them the API sends mail itself (MAIL_WORKER=inline)\n',
    );
    process.exit(78);
  }
  const logger = createLogger(config.log.level);
  const context = await createMailWorkerContext(config, logger);
  logger.info('mail worker process running');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'mail worker shutting down: finishing jobs in progress');
    const timer = setTimeout(() => {
      logger.error('mail worker shutdown timed out; exiting');
      process.exit(1);
    }, config.http.shutdownTimeoutMs);
    timer.unref();
    context
      .close()
      .then(() => {
        logger.info('mail worker stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'mail worker shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => {
    stop('SIGTERM');
  });
  process.on('SIGINT', () => {
    stop('SIGINT');
  });
}
