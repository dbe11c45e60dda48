import { Inject, Injectable, Logger } from '@nestjs/common';
import { MailDelivery } from './mail-delivery.service';

/**
 * The queue-less development mode's worker: delivers rows one at a time in this process. Failed
 * rows are retried by the sweeper once their `next_attempt_at` has come.
 */
@Injectable()
export class DirectMailRunner {
  private readonly logger = new Logger('Mail');
  private readonly inFlight = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(@Inject(MailDelivery) private readonly delivery: MailDelivery) {}

  /** Schedules delivery of `ids` (an id already scheduled is skipped). */
  run(ids: readonly string[]): void {
    for (const id of ids) {
      if (this.stopped || this.inFlight.has(id)) continue;
      this.inFlight.add(id);
      this.chain = this.chain.then(() => this.deliverOne(id));
    }
  }

  private async deliverOne(id: string): Promise<void> {
    try {
      if (!this.stopped) await this.delivery.deliver(id);
    } catch (error) {
      // The database is away: the row keeps its state and the sweeper tries again.
      this.logger.warn(
        `mail ${id} not delivered: ${error instanceof Error ? error.name : 'error'}`,
      );
    } finally {
      this.inFlight.delete(id);
    }
  }

  /** Takes no more work and waits for the delivery in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.chain;
  }
}
