import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { FieldContext } from '../privacy/encryption/field-cipher';

/** Lifecycle of an outbox row: `pending` (not tried yet), `failed` (a retry is scheduled),
 * `sent`, `dead` (given up). Only `pending`/`failed` rows hold the sealed recipient and
 * parameters; a CHECK constraint erases nothing by itself but refuses a finished row that still
 * holds them. */
export type MailOutboxStatus = 'pending' | 'failed' | 'sent' | 'dead';

/** An outbox row as the worker reads it. */
export interface MailOutboxRow {
  id: string;
  template: string;
  locale: string;
  recipientSealed: string | null;
  paramsSealed: string | null;
  status: MailOutboxStatus;
  attempts: number;
}

/** The table and the FieldCipher contexts (AAD) of its sealed columns. */
export const MAIL_OUTBOX_TABLE = 'mail_outbox';
/** AAD of the sealed recipient of row `rowId`. */
export const recipientContext = (rowId: string): FieldContext => ({
  table: MAIL_OUTBOX_TABLE,
  column: 'recipient_sealed',
  rowId,
});
/** AAD of the sealed template parameters of row `rowId`. */
export const paramsContext = (rowId: string): FieldContext => ({
  table: MAIL_OUTBOX_TABLE,
  column: 'params_sealed',
  rowId,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` looks like an outbox id (job payloads are checked before reaching SQL). */
export function isOutboxId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * Every SQL statement on `mail_outbox`, parameterised. State changes are conditional on the
 * state read, so two deliveries of one row (a re-queued job, a second worker) cannot both win.
 */
@Injectable()
export class MailOutboxRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** Inserts a pending row with `manager`, i.e. inside the caller's transaction when it has one. */
  async insert(
    manager: EntityManager,
    row: {
      id: string;
      template: string;
      locale: string;
      recipientSealed: string;
      paramsSealed: string;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO mail_outbox (id, template, locale, recipient_sealed, params_sealed)
       VALUES ($1, $2, $3, $4, $5)`,
      [row.id, row.template, row.locale, row.recipientSealed, row.paramsSealed],
    );
  }

  async find(id: string): Promise<MailOutboxRow | null> {
    const rows: {
      id: string;
      template: string;
      locale: string;
      recipient_sealed: string | null;
      params_sealed: string | null;
      status: MailOutboxStatus;
      attempts: number;
    }[] = await this.dataSource.query(
      `SELECT id, template, locale, recipient_sealed, params_sealed, status, attempts
         FROM mail_outbox WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    return row
      ? {
          id: row.id,
          template: row.template,
          locale: row.locale,
          recipientSealed: row.recipient_sealed,
          paramsSealed: row.params_sealed,
          status: row.status,
          attempts: row.attempts,
        }
      : null;
  }

  /** Sent: erase the sealed recipient and parameters (data minimisation), keep the status row. */
  async markSent(id: string, attemptsBefore: number): Promise<boolean> {
    const result: [unknown[], number] = await this.dataSource.query(
      `UPDATE mail_outbox
          SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error_code = NULL,
              recipient_sealed = NULL, params_sealed = NULL
        WHERE id = $1 AND status IN ('pending', 'failed') AND attempts = $2`,
      [id, attemptsBefore],
    );
    return result[1] === 1;
  }

  /** Failed, retry after `delayMs`. */
  async markFailed(
    id: string,
    attemptsBefore: number,
    errorCode: string,
    delayMs: number,
  ): Promise<boolean> {
    const result: [unknown[], number] = await this.dataSource.query(
      `UPDATE mail_outbox
          SET status = 'failed', attempts = attempts + 1, last_error_code = $3,
              next_attempt_at = now() + make_interval(secs => $4::double precision / 1000)
        WHERE id = $1 AND status IN ('pending', 'failed') AND attempts = $2`,
      [id, attemptsBefore, errorCode, delayMs],
    );
    return result[1] === 1;
  }

  /** Given up: erase the sealed data too (nobody will send it), keep the status and the code. */
  async markDead(id: string, attemptsBefore: number, errorCode: string): Promise<boolean> {
    const result: [unknown[], number] = await this.dataSource.query(
      `UPDATE mail_outbox
          SET status = 'dead', attempts = attempts + 1, last_error_code = $3,
              recipient_sealed = NULL, params_sealed = NULL
        WHERE id = $1 AND status IN ('pending', 'failed') AND attempts = $2`,
      [id, attemptsBefore, errorCode],
    );
    return result[1] === 1;
  }

  /** Records that rows reached the queue (so the sweeper leaves them alone). */
  async markQueued(ids: readonly string[]): Promise<void> {
    await this.dataSource.query(
      `UPDATE mail_outbox SET queued_at = now()
        WHERE id = ANY($1::uuid[]) AND queued_at IS NULL`,
      [ids],
    );
  }

  /**
   * Rows the queue should hold but may not: committed but never queued for `graceMs` (the
   * process died between commit and enqueue, or Redis was down), or due for longer than
   * `staleMs` (the queue lost the job).
   */
  async findUnqueued(graceMs: number, staleMs: number, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM mail_outbox
        WHERE status IN ('pending', 'failed')
          AND ((queued_at IS NULL AND created_at <= now() - make_interval(secs => $1::double precision / 1000))
               OR next_attempt_at <= now() - make_interval(secs => $2::double precision / 1000))
        ORDER BY next_attempt_at
        LIMIT $3`,
      [graceMs, staleMs, limit],
    );
    return rows.map((r) => r.id);
  }

  /** Rows due now (without a queue, the sweeper is what retries). */
  async findDue(limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM mail_outbox
        WHERE status IN ('pending', 'failed') AND next_attempt_at <= now()
        ORDER BY next_attempt_at
        LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.id);
  }
}
