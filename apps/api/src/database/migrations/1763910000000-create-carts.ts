import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Carts, shipping methods and coupons. Amounts are integer minor units (EUR) and VAT rates basis
 * points; `CHECK` constraints forbid negative money, out-of-range quantities, a percentage above
 * 100 and a coupon used more often than its limit. Coupon codes are stored only as SHA-256
 * digests (see `coupons/coupon-codes.ts`). Two shipping methods are seeded as reference data.
 */
export class CreateCarts1763910000000 implements MigrationInterface {
  name = 'CreateCarts1763910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE shipping_methods (
        code        varchar(32) PRIMARY KEY CHECK (code ~ '^[a-z0-9-]{1,32}$'),
        name        varchar(100) NOT NULL,
        fee_amount  integer NOT NULL CHECK (fee_amount >= 0),
        currency    char(3) NOT NULL DEFAULT 'EUR' CHECK (currency = 'EUR'),
        vat_rate_bp integer NOT NULL CHECK (vat_rate_bp BETWEEN 0 AND 10000),
        active      boolean NOT NULL DEFAULT true,
        position    integer NOT NULL DEFAULT 0
      )`);
    await q.query(`
      INSERT INTO shipping_methods (code, name, fee_amount, vat_rate_bp, position) VALUES
        ('standard', 'Standard delivery (3-5 working days)', 490, 2000, 1),
        ('express', 'Express delivery (next working day)', 1290, 2000, 2)`);

    await q.query(`
      CREATE TABLE coupons (
        id                           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code_hash                    bytea NOT NULL CHECK (octet_length(code_hash) = 32),
        code_hint                    varchar(8) NOT NULL,
        discount_kind                varchar(8) NOT NULL CHECK (discount_kind IN ('percent', 'fixed')),
        discount_value               integer NOT NULL CHECK (discount_value > 0),
        min_subtotal                 integer NOT NULL DEFAULT 0 CHECK (min_subtotal >= 0),
        valid_from                   timestamptz NOT NULL,
        valid_until                  timestamptz NOT NULL,
        max_redemptions              integer CHECK (max_redemptions > 0),
        max_redemptions_per_customer integer CHECK (max_redemptions_per_customer > 0),
        redemption_count             integer NOT NULL DEFAULT 0 CHECK (redemption_count >= 0),
        status                       varchar(16) NOT NULL DEFAULT 'active'
                                     CHECK (status IN ('active', 'disabled')),
        created_at                   timestamptz NOT NULL DEFAULT now(),
        CHECK (discount_kind <> 'percent' OR discount_value <= 100),
        CHECK (valid_until > valid_from),
        CHECK (max_redemptions IS NULL OR redemption_count <= max_redemptions)
      )`);
    await q.query(`CREATE UNIQUE INDEX coupons_code_hash_key ON coupons (code_hash)`);

    await q.query(`
      CREATE TABLE coupon_redemptions (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        coupon_id    uuid NOT NULL REFERENCES coupons(id) ON DELETE RESTRICT,
        customer_ref varchar(100) NOT NULL CHECK (customer_ref ~ '^(user|guest):[A-Za-z0-9_-]{1,90}$'),
        order_id     uuid,
        redeemed_at  timestamptz NOT NULL DEFAULT now(),
        released_at  timestamptz,
        CHECK (released_at IS NULL OR released_at >= redeemed_at)
      )`);
    await q.query(
      `CREATE INDEX coupon_redemptions_customer_idx ON coupon_redemptions (coupon_id, customer_ref) WHERE released_at IS NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX coupon_redemptions_order_key ON coupon_redemptions (order_id) WHERE order_id IS NOT NULL AND released_at IS NULL`,
    );

    await q.query(`
      CREATE TABLE carts (
        id                   uuid PRIMARY KEY,
        user_id              uuid REFERENCES users(id) ON DELETE CASCADE,
        coupon_id            uuid REFERENCES coupons(id) ON DELETE SET NULL,
        shipping_method_code varchar(32) REFERENCES shipping_methods(code) ON DELETE SET NULL,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX carts_user_key ON carts (user_id) WHERE user_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX carts_guest_updated_idx ON carts (updated_at) WHERE user_id IS NULL`,
    );

    await q.query(`
      CREATE TABLE cart_lines (
        id         uuid PRIMARY KEY,
        cart_id    uuid NOT NULL REFERENCES carts(id) ON DELETE CASCADE,
        variant_id uuid NOT NULL REFERENCES product_variant(id) ON DELETE CASCADE,
        quantity   integer NOT NULL CHECK (quantity BETWEEN 1 AND 999),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (cart_id, variant_id)
      )`);
    await q.query(`CREATE INDEX cart_lines_variant_idx ON cart_lines (variant_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cart_lines`);
    await q.query(`DROP TABLE carts`);
    await q.query(`DROP TABLE coupon_redemptions`);
    await q.query(`DROP TABLE coupons`);
    await q.query(`DROP TABLE shipping_methods`);
  }
}
