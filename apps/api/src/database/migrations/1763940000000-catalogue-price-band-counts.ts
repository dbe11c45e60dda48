import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Lower bounds of the price bands, in cents: 5 € steps to 100 €, then wider. Data of this migration. */
const BAND_LOWER_BOUNDS = [
  ...Array.from({ length: 21 }, (_, i) => i * 500), // 0 … 100 €
  ...Array.from({ length: 10 }, (_, i) => 11_000 + i * 1_000), // 110 … 200 €
  ...Array.from({ length: 12 }, (_, i) => 22_500 + i * 2_500), // 225 … 500 €
  ...Array.from({ length: 15 }, (_, i) => 60_000 + i * 10_000), // 600 … 2,000 €
  250_000,
  300_000,
  400_000,
  500_000,
  750_000,
  1_000_000,
];

/**
 * Precomputed counts for listings filtered by a price bound, so `?minPrice=` or `?maxPrice=` reads
 * summary rows plus the few products near the bound instead of aggregating every matching
 * product's facets (3–5 ms of PostgreSQL for a bound matching most of the catalogue).
 *
 * - `price_band`: fixed lower bounds (cents), band 0 at 0.
 * - `product_price_band_count`: per (side, band, leaf category, in-stock flag, token), the number
 *   of active products whose price on that side is at least the band's lower bound — side `to`:
 *   `price_to >= lower` (they match any `minPrice` up to that bound); side `from`:
 *   `price_from >= lower` (band 0 counts every product; a `maxPrice` listing subtracts the band
 *   above its bound). The empty token `''` counts products. A listing bounded at X combines the
 *   rows of the band above X with the few products between X and that band's bound, which it
 *   aggregates itself. Both sides count "at or above" so that a product contributes only to the
 *   bands at or below its prices (a cheap product to a few), not to every band above them.
 * - Statement-level triggers with transition tables keep it exact in the same transaction as any
 *   write to `product`, as `product_facet_count`'s do: each changed row's contributions (one per
 *   band it counts in and token) are subtracted for its old version and added for its new one.
 */
export class CataloguePriceBandCounts1763940000000 implements MigrationInterface {
  name = 'CataloguePriceBandCounts1763940000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE price_band (
        band  smallint PRIMARY KEY CHECK (band >= 0),
        lower integer NOT NULL UNIQUE CHECK (lower >= 0)
      )`);
    await q.query(
      `INSERT INTO price_band (band, lower) SELECT i - 1, b FROM unnest($1::int[]) WITH ORDINALITY AS u(b, i)`,
      [BAND_LOWER_BOUNDS],
    );
    await q.query(`
      CREATE TABLE product_price_band_count (
        side          text NOT NULL CHECK (side IN ('to', 'from')),
        band          smallint NOT NULL REFERENCES price_band(band),
        category_id   uuid NOT NULL REFERENCES category(id) ON DELETE CASCADE,
        in_stock      boolean NOT NULL,
        token         text NOT NULL,
        product_count integer NOT NULL CHECK (product_count >= 0),
        PRIMARY KEY (side, band, category_id, in_stock, token)
      )`);
    // The products near a bound, which a banded listing aggregates itself.
    await q.query(
      `CREATE INDEX product_price_to_idx ON product (price_to) WHERE status = 'active'`,
    );

    const apply = (rows: string) => `
      WITH d AS (
        SELECT side, band, category_id, in_stock, token, sum(delta)::int AS delta
          FROM (${rows}) AS changes
         GROUP BY side, band, category_id, in_stock, token
        HAVING sum(delta) <> 0
      ), decreased AS (
        UPDATE product_price_band_count s SET product_count = s.product_count + d.delta
          FROM d
         WHERE d.delta < 0 AND s.side = d.side AND s.band = d.band
           AND s.category_id = d.category_id AND s.in_stock = d.in_stock AND s.token = d.token
      )
      INSERT INTO product_price_band_count AS s
             (side, band, category_id, in_stock, token, product_count)
      SELECT side, band, category_id, in_stock, token, delta FROM d WHERE delta > 0
       ORDER BY side, band, category_id, in_stock, token
      ON CONFLICT (side, band, category_id, in_stock, token)
      DO UPDATE SET product_count = s.product_count + EXCLUDED.product_count;`;
    const contributions = (table: string, sign: 1 | -1) => `
      SELECT 'to' AS side, b.band, r.category_id, r.in_stock, t.token, ${sign} AS delta
        FROM ${table} r JOIN price_band b ON b.lower <= r.price_to
        CROSS JOIN LATERAL unnest(r.facet_tokens || ''::text) AS t(token)
       WHERE r.status = 'active'
      UNION ALL
      SELECT 'from', b.band, r.category_id, r.in_stock, t.token, ${sign}
        FROM ${table} r JOIN price_band b ON b.lower <= r.price_from
        CROSS JOIN LATERAL unnest(r.facet_tokens || ''::text) AS t(token)
       WHERE r.status = 'active'`;
    // The fragments above are constants of this file; no value reaches the SQL text.
    const maintain = `
      CREATE FUNCTION product_price_band_count_maintain() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          ${apply(contributions('new_rows', 1))}
        ELSIF TG_OP = 'UPDATE' THEN
          ${apply(`${contributions('new_rows', 1)} UNION ALL ${contributions('old_rows', -1)}`)}
        ELSIF TG_OP = 'DELETE' THEN
          ${apply(contributions('old_rows', -1))}
        ELSE
          DELETE FROM product_price_band_count;
        END IF;
        RETURN NULL;
      END
      $$`;
    await q.query(maintain);
    await q.query(`
      CREATE TRIGGER product_price_band_count_insert AFTER INSERT ON product
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION product_price_band_count_maintain()`);
    await q.query(`
      CREATE TRIGGER product_price_band_count_update AFTER UPDATE ON product
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION product_price_band_count_maintain()`);
    await q.query(`
      CREATE TRIGGER product_price_band_count_delete AFTER DELETE ON product
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION product_price_band_count_maintain()`);
    await q.query(`
      CREATE TRIGGER product_price_band_count_truncate AFTER TRUNCATE ON product
        FOR EACH STATEMENT EXECUTE FUNCTION product_price_band_count_maintain()`);

    const initial = `
      INSERT INTO product_price_band_count (side, band, category_id, in_stock, token, product_count)
      SELECT side, band, category_id, in_stock, token, sum(delta)::int
        FROM (${contributions('product', 1)}) AS c
       GROUP BY side, band, category_id, in_stock, token`;
    await q.query(initial);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER product_price_band_count_truncate ON product`);
    await q.query(`DROP TRIGGER product_price_band_count_delete ON product`);
    await q.query(`DROP TRIGGER product_price_band_count_update ON product`);
    await q.query(`DROP TRIGGER product_price_band_count_insert ON product`);
    await q.query(`DROP FUNCTION product_price_band_count_maintain()`);
    await q.query(`DROP INDEX product_price_to_idx`);
    await q.query(`DROP TABLE product_price_band_count`);
    await q.query(`DROP TABLE price_band`);
  }
}
