import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  DataSource,
  type EntityManager,
  type EntitySubscriberInterface,
  type TransactionCommitEvent,
  type TransactionRollbackEvent,
} from 'typeorm';
import { DirectMailRunner } from './direct-mail-runner';
import { MailOutboxRepository } from './mail-outbox.repository';
import { MailRuntime } from './mail-runtime';

/** Where outbox ids wait in `queryRunner.data` until their transaction ends. */
const PENDING = 'mailOutboxIds';

/**
 * Moves committed outbox rows on to delivery: right after the transaction that inserted them
 * commits (a TypeORM subscriber on the application's DataSource), or at once when they were
 * inserted outside a transaction. A rolled-back transaction drops its ids, so its rows — which
 * no longer exist — are never sent. Nothing here blocks or fails the caller: a row that could not
 * be handed over (Redis down, process killed right after the commit) is found by the sweeper.
 */
@Injectable()
export class MailRelay implements EntitySubscriberInterface, OnModuleInit {
  private readonly logger = new Logger('Mail');

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(MailRuntime) private readonly runtime: MailRuntime,
    @Inject(MailOutboxRepository) private readonly outbox: MailOutboxRepository,
    @Inject(DirectMailRunner) private readonly direct: DirectMailRunner,
  ) {}

  onModuleInit(): void {
    this.dataSource.subscribers.push(this);
  }

  /** Called by the outbox after inserting row `id` with `manager`. */
  track(manager: EntityManager, id: string): void {
    const runner = manager.queryRunner;
    if (runner?.isTransactionActive) {
      const data = runner.data as Record<string, unknown>;
      const pending = Array.isArray(data[PENDING]) ? (data[PENDING] as string[]) : [];
      pending.push(id);
      data[PENDING] = pending;
      return;
    }
    void this.dispatch([id]);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    // A released savepoint keeps its ids for the enclosing transaction.
    if (event.queryRunner.isTransactionActive) return;
    const ids = this.take(event);
    if (ids.length > 0) void this.dispatch(ids);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    // A rolled-back savepoint may hold some of the ids; keeping them is harmless (a job for a row
    // that does not exist is skipped), losing others would only delay them until the sweep.
    if (event.queryRunner.isTransactionActive) return;
    this.take(event);
  }

  private take(event: TransactionCommitEvent | TransactionRollbackEvent): string[] {
    const data = event.queryRunner.data as Record<string, unknown> | undefined;
    const ids = data && Array.isArray(data[PENDING]) ? (data[PENDING] as string[]) : [];
    if (data) data[PENDING] = [];
    return ids;
  }

  /**
   * Hands rows to delivery: queue mode adds BullMQ jobs (job id = outbox id, so twice is once)
   * and records that they are queued; direct mode sends in this process if it runs the worker.
   * Never throws.
   */
  async dispatch(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    if (!this.runtime.queue) {
      if (this.runtime.runsWorker) this.direct.run(ids);
      return;
    }
    try {
      await this.runtime.queue.add(ids);
      await this.outbox.markQueued(ids);
    } catch (error) {
      this.logger.warn(
        `mail relay: ${ids.length} message(s) not queued yet (${error instanceof Error ? error.message : 'error'}); the sweeper will retry`,
      );
    }
  }
}
