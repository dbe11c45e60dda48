import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type {
  PaymentEventNotice,
  PaymentEventOutcome,
  PaymentEventOutcomeReason,
} from './payment-event';

/** A row of `payment_events`, as read back (tests, support tooling). */
export interface PaymentEventRecord {
  id: string;
  provider: string;
  type: string;
  paymentIntentId: string | null;
  occurredAt: Date;
  receivedAt: Date;
  processedAt: Date;
  outcome: PaymentEventOutcome;
  reason: PaymentEventOutcomeReason;
}

interface Row {
  id: string;
  provider: string;
  type: string;
  payment_intent_id: string | null;
  occurred_at: Date;
  received_at: Date;
  processed_at: Date;
  outcome: PaymentEventOutcome;
  outcome_reason: PaymentEventOutcomeReason;
}

/**
 * `payment_events`: one row per provider event id (the primary key is the deduplication), written
 * in the transaction that applies the event, so a row exists exactly when its effects committed.
 */
@Injectable()
export class PaymentEventsRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** Whether the event was recorded already (the cheap check before calling the provider). */
  async exists(id: string): Promise<boolean> {
    const rows = await this.dataSource.query<unknown[]>(
      'SELECT 1 FROM payment_events WHERE id = $1',
      [id],
    );
    return rows.length > 0;
  }

  /**
   * Claims the event id inside `manager`'s transaction. False when another delivery holds or
   * committed it: a concurrent duplicate waits on the unique index until the first transaction
   * ends, then finds the row (or, if the first rolled back, claims it itself).
   */
  async claim(manager: EntityManager, notice: PaymentEventNotice): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `INSERT INTO payment_events
         (id, provider, type, payment_intent_id, occurred_at, received_at, outcome, outcome_reason)
       VALUES ($1, $2, $3, $4, $5, $6, 'unhandled', 'unknown_intent')
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [
        notice.id,
        notice.provider,
        notice.type,
        notice.paymentIntentId,
        notice.occurredAt,
        notice.receivedAt,
      ],
    );
    return rows.length === 1;
  }

  /** Records how a claimed event ended, in the same transaction. */
  async settle(
    manager: EntityManager,
    id: string,
    outcome: PaymentEventOutcome,
    reason: PaymentEventOutcomeReason,
  ): Promise<void> {
    await manager.query(
      `UPDATE payment_events
          SET outcome = $2, outcome_reason = $3, processed_at = clock_timestamp()
        WHERE id = $1`,
      [id, outcome, reason],
    );
  }

  /** One recorded event, or null. */
  async find(id: string): Promise<PaymentEventRecord | null> {
    const rows = await this.dataSource.query<Row[]>(
      `SELECT id, provider, type, payment_intent_id, occurred_at, received_at, processed_at,
              outcome, outcome_reason
         FROM payment_events WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    return row
      ? {
          id: row.id,
          provider: row.provider,
          type: row.type,
          paymentIntentId: row.payment_intent_id,
          occurredAt: row.occurred_at,
          receivedAt: row.received_at,
          processedAt: row.processed_at,
          outcome: row.outcome,
          reason: row.outcome_reason,
        }
      : null;
  }
}
