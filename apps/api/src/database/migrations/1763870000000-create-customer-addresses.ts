import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Customers' address book. Every personal field is sealed by the application; only the country
 * code (needed for VAT and shipping rules) is stored in clear. Rows belong to one account and go
 * with it.
 */
export class CreateCustomerAddresses1763870000000 implements MigrationInterface {
  name = 'CreateCustomerAddresses1763870000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE customer_addresses (
        id                 uuid PRIMARY KEY,
        user_id            uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        full_name_sealed   text NOT NULL,
        line1_sealed       text NOT NULL,
        line2_sealed       text,
        postal_code_sealed text NOT NULL,
        city_sealed        text NOT NULL,
        phone_sealed       text,
        country            char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
        is_default         boolean NOT NULL DEFAULT false,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX customer_addresses_user_idx ON customer_addresses (user_id, created_at)`,
    );
    await q.query(
      `CREATE UNIQUE INDEX customer_addresses_one_default ON customer_addresses (user_id) WHERE is_default`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE customer_addresses`);
  }
}
