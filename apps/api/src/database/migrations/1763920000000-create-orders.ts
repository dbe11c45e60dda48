import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Orders, their lines and stock reservations. Amounts are integer minor units copied from the
 * priced cart; `CHECK` constraints forbid negative money and a total that is not
 * `subtotal − discount + shipping`. The shipping address and a guest's email are sealed with the
 * FieldCipher (bound to the order row); guests are found by the email's blind index. One order
 * per checkout attempt: `(cart_id, checkout_key)` is unique, and so is the PaymentIntent.
 * Stock is taken from `product_variant.stock` at checkout (its `CHECK (stock >= 0)` is the last
 * line of defence) and a reservation row says whether it is held, committed or given back.
 */
export class CreateOrders1763920000000 implements MigrationInterface {
  name = 'CreateOrders1763920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE orders (
        id                      uuid PRIMARY KEY,
        number                  varchar(20) NOT NULL UNIQUE,
        user_id                 uuid REFERENCES users(id) ON DELETE SET NULL,
        guest_email_sealed      text,
        guest_email_index       varchar(128),
        cart_id                 uuid NOT NULL,
        checkout_key            varchar(64) NOT NULL,
        locale                  varchar(2) NOT NULL CHECK (locale IN ('en', 'fr')),
        currency                char(3) NOT NULL CHECK (currency = 'EUR'),
        subtotal_amount         integer NOT NULL CHECK (subtotal_amount >= 0),
        discount_amount         integer NOT NULL CHECK (discount_amount >= 0),
        shipping_amount         integer NOT NULL CHECK (shipping_amount >= 0),
        vat_amount              integer NOT NULL CHECK (vat_amount >= 0),
        total_amount            integer NOT NULL CHECK (total_amount >= 0),
        shipping_method_code    varchar(32) NOT NULL,
        shipping_address_sealed text NOT NULL,
        coupon_redemption_id    uuid,
        status                  varchar(24) NOT NULL DEFAULT 'pending_payment' CHECK (status IN
                                  ('pending_payment', 'paid', 'fulfilled', 'shipped', 'delivered',
                                   'cancelled', 'refunded', 'partially_refunded')),
        payment_intent_id       varchar(255) UNIQUE,
        reservation_expires_at  timestamptz NOT NULL,
        paid_at                 timestamptz,
        cancelled_at            timestamptz,
        created_at              timestamptz NOT NULL DEFAULT now(),
        updated_at              timestamptz NOT NULL DEFAULT now(),
        CHECK (discount_amount <= subtotal_amount),
        CHECK (total_amount = subtotal_amount - discount_amount + shipping_amount),
        CHECK ((guest_email_sealed IS NULL) = (guest_email_index IS NULL)),
        CHECK (user_id IS NOT NULL OR guest_email_sealed IS NOT NULL OR status <> 'pending_payment')
      )`);
    await q.query(`CREATE UNIQUE INDEX orders_checkout_key ON orders (cart_id, checkout_key)`);
    await q.query(`CREATE INDEX orders_user_idx ON orders (user_id, created_at DESC)`);
    await q.query(`CREATE INDEX orders_guest_email_idx ON orders (guest_email_index)`);
    await q.query(
      `CREATE INDEX orders_pending_expiry_idx ON orders (reservation_expires_at) WHERE status = 'pending_payment'`,
    );

    await q.query(`
      CREATE TABLE order_lines (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id      uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
        position      integer NOT NULL,
        variant_id    uuid NOT NULL,
        product_name  varchar(300) NOT NULL,
        sku           varchar(100) NOT NULL,
        unit_price    integer NOT NULL CHECK (unit_price >= 0),
        quantity      integer NOT NULL CHECK (quantity BETWEEN 1 AND 999),
        line_total    integer NOT NULL CHECK (line_total = unit_price * quantity),
        discount      integer NOT NULL CHECK (discount >= 0 AND discount <= line_total),
        vat_rate_bp   integer NOT NULL CHECK (vat_rate_bp BETWEEN 0 AND 10000),
        vat_amount    integer NOT NULL CHECK (vat_amount >= 0),
        UNIQUE (order_id, position)
      )`);

    await q.query(`
      CREATE TABLE stock_reservations (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id    uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
        variant_id  uuid NOT NULL REFERENCES product_variant(id) ON DELETE RESTRICT,
        quantity    integer NOT NULL CHECK (quantity > 0),
        status      varchar(16) NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'committed', 'released')),
        expires_at  timestamptz NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        settled_at  timestamptz,
        UNIQUE (order_id, variant_id),
        CHECK ((status = 'held') = (settled_at IS NULL))
      )`);
    await q.query(
      `CREATE INDEX stock_reservations_held_idx ON stock_reservations (expires_at) WHERE status = 'held'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE stock_reservations`);
    await q.query(`DROP TABLE order_lines`);
    await q.query(`DROP TABLE orders`);
  }
}
