import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Refunds of orders by staff. A refund is recorded `pending` before the provider is asked (so
 * concurrent refunds of one order count each other and never pass what was captured), then
 * `succeeded` or `failed`. `(order_id, refund_key)` is unique: a double-submitted refund is one
 * refund, and its provider call carries an idempotency key tied to the refund.
 */
export class CreateOrderRefunds1763920000001 implements MigrationInterface {
  name = 'CreateOrderRefunds1763920000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE order_refunds (
        id                 uuid PRIMARY KEY,
        order_id           uuid NOT NULL REFERENCES orders(id) ON DELETE RESTRICT,
        refund_key         varchar(64) NOT NULL,
        amount             integer NOT NULL CHECK (amount > 0),
        currency           char(3) NOT NULL CHECK (currency = 'EUR'),
        status             varchar(16) NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending', 'succeeded', 'failed')),
        provider_refund_id varchar(255) UNIQUE,
        requested_by       uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at         timestamptz NOT NULL DEFAULT now(),
        settled_at         timestamptz,
        UNIQUE (order_id, refund_key),
        CHECK ((status = 'pending') = (settled_at IS NULL))
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE order_refunds`);
  }
}
