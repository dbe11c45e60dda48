import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A guest's access to their order: the SHA-256 digest of a 256-bit token sent in the order
 * confirmation (never the token), and when it stops working.
 */
export class OrderGuestAccess1763920000002 implements MigrationInterface {
  name = 'OrderGuestAccess1763920000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE orders
        ADD COLUMN guest_access_hash bytea CHECK (octet_length(guest_access_hash) = 32),
        ADD COLUMN guest_access_expires_at timestamptz,
        ADD CHECK ((guest_access_hash IS NULL) = (guest_access_expires_at IS NULL))`);
    await q.query(
      `CREATE UNIQUE INDEX orders_guest_access_key ON orders (guest_access_hash) WHERE guest_access_hash IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX orders_guest_access_key`);
    await q.query(
      `ALTER TABLE orders DROP COLUMN guest_access_expires_at, DROP COLUMN guest_access_hash`,
    );
  }
}
