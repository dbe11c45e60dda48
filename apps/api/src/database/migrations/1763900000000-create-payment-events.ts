import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Payment events (Stripe webhooks and the development provider's events), one row per provider
 * event id: the primary key is what deduplicates a redelivered or replayed event. A row is written
 * in the transaction that applies the event, so it exists exactly when the event took effect.
 * No personal data: ids, types, times and an outcome.
 */
export class CreatePaymentEvents1763900000000 implements MigrationInterface {
  name = 'CreatePaymentEvents1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE payment_events (
        id                text PRIMARY KEY CHECK (id ~ '^evt_[A-Za-z0-9_]{1,200}$'),
        provider          text NOT NULL CHECK (provider IN ('stripe', 'development')),
        type              text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_.]{0,99}$'),
        payment_intent_id text CHECK (payment_intent_id ~ '^pi_[A-Za-z0-9_]{1,120}$'),
        occurred_at       timestamptz NOT NULL,
        received_at       timestamptz NOT NULL,
        processed_at      timestamptz NOT NULL DEFAULT now(),
        outcome           text NOT NULL
                          CHECK (outcome IN ('processed', 'ignored', 'unhandled', 'mismatch')),
        outcome_reason    text NOT NULL CHECK (outcome_reason ~ '^[a-z_]{1,40}$')
      )`);
    await q.query(
      `CREATE INDEX payment_events_intent_idx ON payment_events (payment_intent_id, occurred_at)
         WHERE payment_intent_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX payment_events_unsettled_idx ON payment_events (received_at)
         WHERE outcome IN ('unhandled', 'mismatch')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payment_events`);
  }
}
