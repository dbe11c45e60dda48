import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { MailJobQueue } from './mail-queue';

/** Whether this process runs the mail worker (sends); the API decides from `MAIL_WORKER`, the
 * `cli.js worker` process always does. */
export const MAIL_RUNS_WORKER = Symbol('MAIL_RUNS_WORKER');

/**
 * How mail moves in this process.
 *
 * - `queue` (Redis configured): committed outbox rows become BullMQ jobs; whichever process runs
 *   the worker sends them. This is the production shape.
 * - `direct` (no Redis: development on in-memory stores): there is no shared queue, so the
 *   process that committed the row sends it itself right after the commit, and the sweeper
 *   retries due rows from the table. With `MAIL_WORKER=off` nothing is sent by this process.
 */
@Injectable()
export class MailRuntime implements OnApplicationShutdown {
  readonly mode: 'queue' | 'direct';
  /** The BullMQ producer, in `queue` mode. */
  readonly queue: MailJobQueue | null;
  private readonly logger = new Logger('Mail');
  private lastRedisError = '';

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(MAIL_RUNS_WORKER) readonly runsWorker: boolean,
  ) {
    this.mode = config.redis.kind === 'redis' ? 'queue' : 'direct';
    this.queue =
      config.redis.kind === 'redis'
        ? new MailJobQueue(
            config.redis.url,
            config.redis.keyPrefix,
            // BullMQ's retry budget exceeds the outbox's, which is the one that decides `dead`.
            config.mail.maxAttempts + 5,
            (error) => {
              this.redisError(error);
            },
          )
        : null;
    if (this.mode === 'direct' && !runsWorker) {
      this.logger.warn('MAIL_WORKER=off without Redis: this process queues mail but sends none');
    }
  }

  /** Logs a Redis connection problem once per distinct message (ioredis retries on its own). */
  redisError(error: Error): void {
    if (error.message === this.lastRedisError) return;
    this.lastRedisError = error.message;
    this.logger.warn(`mail queue redis: ${error.message}`);
  }

  /** Closed last, once HTTP requests (which may still commit mail) have drained. */
  async onApplicationShutdown(): Promise<void> {
    await this.queue?.close();
  }
}
