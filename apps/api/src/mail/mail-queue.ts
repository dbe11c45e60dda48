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

/** Longest wait for BullMQ to close when Redis is away. */
const CLOSE_TIMEOUT_MS = 1_000;

/** Waits for `promise` at most `ms` (errors ignored): shutdown must never hang on Redis. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/** Whether `promise` has settled yet, without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<'fulfilled' | 'rejected' | 'pending'> {
  return Promise.race([
    promise.then(
      () => 'fulfilled' as const,
      () => 'rejected' as const,
    ),
    new Promise<'pending'>((resolve) => {
      setImmediate(() => {
        resolve('pending');
      });
    }),
  ]);
}

/** QUIT when connected; otherwise drop the socket (a QUIT would wait for a reconnection). */
async function closeConnection(connection: Redis): Promise<void> {
  if (connection.status === 'ready') {
    await within(connection.quit(), CLOSE_TIMEOUT_MS);
  }
  connection.disconnect();
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
  private queue: Queue<MailJobData>;

  constructor(
    url: string,
    private readonly keyPrefix: string,
    /** BullMQ's own retry budget; the outbox row decides when a message is dead. */
    private readonly jobAttempts: number,
    private readonly onError: (error: Error) => void,
  ) {
    this.connection = redisConnection(url, false);
    this.connection.on('error', onError);
    this.queue = this.createQueue();
  }

  private createQueue(): Queue<MailJobData> {
    const queue = new Queue<MailJobData>(MAIL_QUEUE_NAME, {
      connection: this.connection,
      prefix: bullPrefix(this.keyPrefix),
    });
    queue.on('error', this.onError);
    return queue;
  }

  /**
   * The queue, replaced if its one-time initialisation failed (Redis dropped while BullMQ was
   * loading its scripts at boot): BullMQ never retries that, so the old queue would fail forever.
   */
  private async usableQueue(): Promise<Queue<MailJobData>> {
    if ((await settled(this.queue.waitUntilReady())) === 'rejected') {
      const broken = this.queue;
      this.queue = this.createQueue();
      void within(broken.close(), CLOSE_TIMEOUT_MS);
    }
    return this.queue;
  }

  /** Adds one job per id; an id already queued (waiting, delayed or active) is left alone. */
  async add(ids: readonly string[], timeoutMs = 3_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new Error('mail queue unavailable'));
      }, timeoutMs);
    });
    const queue = await this.usableQueue();
    const adding = queue.addBulk(
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
    await within(this.queue.close(), CLOSE_TIMEOUT_MS);
    await closeConnection(this.connection);
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

  /**
   * Stops taking jobs and waits (bounded) for the ones in progress. With Redis unreachable there
   * is nothing to wait for — a job cannot record its end anyway, and its lock will expire so
   * another worker retries it — so the close is forced rather than left hanging on reconnection.
   */
  async close(graceMs = 5_000): Promise<void> {
    const reachable = this.connection.status === 'ready';
    await within(this.worker.close(!reachable), reachable ? graceMs : CLOSE_TIMEOUT_MS);
    await closeConnection(this.connection);
  }
}
