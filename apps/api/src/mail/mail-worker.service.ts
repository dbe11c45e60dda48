import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DirectMailRunner } from './direct-mail-runner';
import { MailDelivery } from './mail-delivery.service';
import { MailOutboxRepository } from './mail-outbox.repository';
import { MailJobWorker, MailRetryLater } from './mail-queue';
import { MailRelay } from './mail-relay.subscriber';
import { MailRuntime } from './mail-runtime';

/** Rows handed over per sweep. */
const SWEEP_BATCH = 100;
/** A committed row not queued after this long missed the after-commit relay (crash, Redis down). */
export const MAIL_UNQUEUED_GRACE_MS = 5_000;
/** A due row still unsent after this long is assumed lost by the queue and queued again. */
export const MAIL_STALE_AFTER_MS = 5 * 60 * 1000;

/**
 * The sending side, started only in a process that runs the worker (`MAIL_WORKER=inline`, or
 * `cli.js worker`):
 *
 * - queue mode: a BullMQ worker delivers jobs; a delivery that failed is retried by BullMQ after
 *   the delay the outbox row computed, a dead one is not retried;
 * - the sweeper, every `MAIL_SWEEP_INTERVAL_MS`: queue mode re-queues committed rows that never
 *   reached the queue (crash between commit and enqueue, Redis down) or that the queue lost;
 *   direct mode delivers every due row (first attempts the relay missed, and retries).
 *
 * Shutdown stops the sweeper, lets the jobs in progress finish, and closes the worker.
 */
@Injectable()
export class MailWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private worker: MailJobWorker | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MailRuntime) private readonly runtime: MailRuntime,
    @Inject(MailDelivery) private readonly delivery: MailDelivery,
    @Inject(MailOutboxRepository) private readonly outbox: MailOutboxRepository,
    @Inject(MailRelay) private readonly relay: MailRelay,
    @Inject(DirectMailRunner) private readonly direct: DirectMailRunner,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.runtime.runsWorker) return;
    const redis = this.config.redis;
    if (redis.kind === 'redis') {
      this.worker = new MailJobWorker(
        redis.url,
        redis.keyPrefix,
        async (job) => {
          const outcome = await this.delivery.deliver(job.data.id);
          if (outcome.kind === 'retry') throw new MailRetryLater(outcome.delayMs);
          if (outcome.kind === 'dead') throw new UnrecoverableError('mail dead');
        },
        (attemptsMade) => this.delivery.retryDelayMs(attemptsMade),
        (error) => {
          this.runtime.redisError(error);
        },
      );
    }
    this.logger.log(`mail worker started (${this.runtime.mode} mode)`);
    this.scheduleSweep(this.config.mail.sweepIntervalMs);
  }

  private scheduleSweep(delayMs: number): void {
    if (this.stopped) return;
    this.sweepTimer = setTimeout(() => {
      this.sweeping = this.sweep().finally(() => {
        this.sweeping = undefined;
        this.scheduleSweep(this.config.mail.sweepIntervalMs);
      });
    }, delayMs);
  }

  /** One pass of the sweeper (exposed for tests and the worker command). */
  async sweep(): Promise<void> {
    try {
      const ids =
        this.runtime.mode === 'queue'
          ? await this.outbox.findUnqueued(MAIL_UNQUEUED_GRACE_MS, MAIL_STALE_AFTER_MS, SWEEP_BATCH)
          : await this.outbox.findDue(SWEEP_BATCH);
      if (ids.length > 0) {
        this.logger.log(`mail sweeper: ${ids.length} message(s) handed over`);
        await this.relay.dispatch(ids);
      }
    } catch (error) {
      this.logger.warn(`mail sweeper: ${error instanceof Error ? error.name : 'error'}`);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.sweepTimer);
    await this.sweeping;
    await this.worker?.close();
    await this.direct.stop();
  }
}
