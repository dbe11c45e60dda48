import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';

/**
 * BullMQ plumbing for the mail outbox: the queue, its worker, and their Redis connections.
 *
 * - Keys live under the project's prefix (`REDIS_KEY_PREFIX` + `bull:mail:…`), so test runs and
 *   apps sharing a Redis never meet. BullMQ refuses ioredis' own `keyPrefix` and takes `prefix`.
 * - Jobs carry only the outbox id (no personal data in Redis) and use it as their job id, so
 *   queuing a row twice (after-commit relay and sweeper) adds one job.
 * - The producer connection fails fast (no offline queue: an unreachable Redis must not stall
 *   the request that committed the mail; the sweeper re-queues later). The worker's connection
 *   retries forever (`maxRetriesPerRequest: null`, which BullMQ requires for blocking commands).
 */

/** Name of the BullMQ queue. */
export const MAIL_QUEUE_NAME = 'mail';

/** Payload of a mail job: the outbox id, nothing else. */
export interface MailJobData {
  id: string;
}

/** BullMQ key prefix under the application's Redis prefix. */
export function bullPrefix(keyPrefix: string): string {
  return `${keyPrefix}bull`;
}

/** Thrown by the processor to retry after a delay computed from the outbox row. */
export class MailRetryLater extends Error {
  constructor(readonly delayMs: number) {
    super('mail delivery failed; retry scheduled');
    this.name = 'MailRetryLater';
  }
}

function redisConnection(url: string, forWorker: boolean): Redis {
  // Not lazy: BullMQ settles its connection once at construction, and a lazy connection that fails
  // then would leave the queue broken after Redis comes back; an eager one waits for `ready`.
  return new Redis(url, {
    connectTimeout: 2_000,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
    ...(forWorker
      ? { maxRetriesPerRequest: null, enableOfflineQueue: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 2_000 }),
  });
}

/** The producer side: adds jobs, idempotently by outbox id. */
export class MailJobQueue {
  private readonly connection: Redis;
  private readonly queue: Queue<MailJobData>;

  constructor(
    url: string,
    keyPrefix: string,
    /** BullMQ's own retry budget; the outbox row decides when a message is dead. */
    private readonly jobAttempts: number,
    onError: (error: Error) => void,
  ) {
    this.connection = redisConnection(url, false);
    this.connection.on('error', onError);
    this.queue = new Queue<MailJobData>(MAIL_QUEUE_NAME, {
      connection: this.connection,
      prefix: bullPrefix(keyPrefix),
    });
    this.queue.on('error', onError);
  }

  /** Adds one job per id; an id already queued (waiting, delayed or active) is left alone. */
  async add(ids: readonly string[], timeoutMs = 3_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new Error('mail queue unavailable'));
      }, timeoutMs);
    });
    const adding = this.queue.addBulk(
      ids.map((id) => ({
        name: 'send',
        data: { id },
        opts: {
          jobId: id,
          attempts: this.jobAttempts,
          backoff: { type: 'outbox' },
          removeOnComplete: true,
          removeOnFail: true,
        },
      })),
    );
    // If Redis is away the add waits for it; give up waiting (the sweeper re-queues) but let a
    // late add finish harmlessly: the job id makes it a no-op for a row already queued.
    adding.catch(() => undefined);
    try {
      await Promise.race([adding, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    await this.connection.quit().catch(() => {
      this.connection.disconnect();
    });
  }
}

/** The consumer side: runs `process` for each job, retrying on {@link MailRetryLater}. */
export class MailJobWorker {
  private readonly connection: Redis;
  private readonly worker: Worker<MailJobData>;

  constructor(
    url: string,
    keyPrefix: string,
    process: (job: Job<MailJobData>) => Promise<void>,
    fallbackDelayMs: (attemptsMade: number) => number,
    onError: (error: Error) => void,
  ) {
    this.connection = redisConnection(url, true);
    this.connection.on('error', onError);
    this.worker = new Worker<MailJobData>(MAIL_QUEUE_NAME, process, {
      connection: this.connection,
      prefix: bullPrefix(keyPrefix),
      concurrency: 2,
      // Longer than the SMTP socket timeout, so a slow send is not taken for a crashed worker.
      lockDuration: 60_000,
      settings: {
        backoffStrategy: (attemptsMade, _type, error) =>
          error instanceof MailRetryLater ? error.delayMs : fallbackDelayMs(attemptsMade),
      },
    });
    this.worker.on('error', onError);
  }

  /** Stops taking jobs and waits for the ones in progress. */
  async close(): Promise<void> {
    await this.worker.close().catch(() => undefined);
    await this.connection.quit().catch(() => {
      this.connection.disconnect();
    });
  }
}
