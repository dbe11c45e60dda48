import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Precomputed listing counts, so an unfiltered (category, or whole-catalogue) listing reads a few
 * hundred summary rows instead of aggregating every product's facets on each request.
 *
 * - `product.facet_tokens`: the product's facet values as `key:value` strings (the same spelling as
 *   the `facet` query parameter), generated from `facets`. Counting and filtering on a text array
 *   is several times cheaper than walking jsonb, and it has a GIN index for `&&` (facet filters).
 * - `product_facet_count`: active products per (leaf category, in-stock flag, token); the row with
 *   the empty token `''` is the number of products. Statement-level triggers with transition tables
 *   keep it exact in the same transaction as any write to `product` — TypeORM, raw SQL or the seed
 *   — so readers always see counts consistent with the products they see.
 *
 * The generated column calls a function, which the runtime role must be allowed to execute on
 * every insert and update (the schema revokes EXECUTE from PUBLIC by default; docker/db-init).
 * Trigger functions need no such grant.
 */
export class CatalogueFacetCounts1763840000000 implements MigrationInterface {
  name = 'CatalogueFacetCounts1763840000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION product_facet_tokens(facets jsonb) RETURNS text[]
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
      AS $$
        SELECT coalesce(array_agg(DISTINCT f.key || ':' || v.value ORDER BY f.key || ':' || v.value), '{}'::text[])
          FROM jsonb_each(facets) AS f(key, vals)
          CROSS JOIN LATERAL jsonb_array_elements_text(
            CASE jsonb_typeof(f.vals) WHEN 'array' THEN f.vals ELSE jsonb_build_array(f.vals) END
          ) AS v(value)
      $$`);
    await q.query(`GRANT EXECUTE ON FUNCTION product_facet_tokens(jsonb) TO PUBLIC`);
    await q.query(`
      ALTER TABLE product ADD COLUMN facet_tokens text[] NOT NULL
        GENERATED ALWAYS AS (product_facet_tokens(facets)) STORED`);
    await q.query(`DROP INDEX product_facets_idx`);
    await q.query(`CREATE INDEX product_facet_tokens_idx ON product USING gin (facet_tokens)`);

    await q.query(`
      CREATE TABLE product_facet_count (
        category_id   uuid NOT NULL REFERENCES category(id) ON DELETE CASCADE,
        in_stock      boolean NOT NULL,
        token         text NOT NULL,
        product_count integer NOT NULL CHECK (product_count >= 0),
        PRIMARY KEY (category_id, in_stock, token)
      )`);

    // Each branch turns the statement's old and new rows into per-(category, stock, token) deltas:
    // increases are upserted, decreases applied to existing rows (the CHECK catches any drift).
    const apply = (rows: string) => `
      WITH d AS (
        SELECT category_id, in_stock, token, sum(delta)::int AS delta
          FROM (${rows}) AS changes
         GROUP BY category_id, in_stock, token
        HAVING sum(delta) <> 0
      ), decreased AS (
        UPDATE product_facet_count s SET product_count = s.product_count + d.delta
          FROM d
         WHERE d.delta < 0 AND s.category_id = d.category_id AND s.in_stock = d.in_stock
           AND s.token = d.token
      )
      INSERT INTO product_facet_count AS s (category_id, in_stock, token, product_count)
      SELECT category_id, in_stock, token, delta FROM d WHERE delta > 0
       ORDER BY category_id, in_stock, token
      ON CONFLICT (category_id, in_stock, token)
      DO UPDATE SET product_count = s.product_count + EXCLUDED.product_count;`;
    const contributions = (table: string, sign: 1 | -1) =>
      `SELECT r.category_id, r.in_stock, t.token, ${sign} AS delta
         FROM ${table} r CROSS JOIN LATERAL unnest(r.facet_tokens || ''::text) AS t(token)
        WHERE r.status = 'active'`;
    // The fragments above are constants of this file; no value reaches the SQL text.
    const maintain = `
      CREATE FUNCTION product_facet_count_maintain() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          ${apply(contributions('new_rows', 1))}
        ELSIF TG_OP = 'UPDATE' THEN
          ${apply(`${contributions('new_rows', 1)} UNION ALL ${contributions('old_rows', -1)}`)}
        ELSIF TG_OP = 'DELETE' THEN
          ${apply(contributions('old_rows', -1))}
        ELSE
          DELETE FROM product_facet_count;
        END IF;
        RETURN NULL;
      END
      $$`;
    await q.query(maintain);
    await q.query(`
      CREATE TRIGGER product_facet_count_insert AFTER INSERT ON product
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION product_facet_count_maintain()`);
    await q.query(`
      CREATE TRIGGER product_facet_count_update AFTER UPDATE ON product
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION product_facet_count_maintain()`);
    await q.query(`
      CREATE TRIGGER product_facet_count_delete AFTER DELETE ON product
        REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION product_facet_count_maintain()`);
    await q.query(`
      CREATE TRIGGER product_facet_count_truncate AFTER TRUNCATE ON product
        FOR EACH STATEMENT EXECUTE FUNCTION product_facet_count_maintain()`);

    await q.query(`
      INSERT INTO product_facet_count (category_id, in_stock, token, product_count)
      SELECT p.category_id, p.in_stock, t.token, count(*)::int
        FROM product p CROSS JOIN LATERAL unnest(p.facet_tokens || ''::text) AS t(token)
       WHERE p.status = 'active'
       GROUP BY p.category_id, p.in_stock, t.token`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER product_facet_count_truncate ON product`);
    await q.query(`DROP TRIGGER product_facet_count_delete ON product`);
    await q.query(`DROP TRIGGER product_facet_count_update ON product`);
    await q.query(`DROP TRIGGER product_facet_count_insert ON product`);
    await q.query(`DROP FUNCTION product_facet_count_maintain()`);
    await q.query(`DROP TABLE product_facet_count`);
    await q.query(`DROP INDEX product_facet_tokens_idx`);
    await q.query(`ALTER TABLE product DROP COLUMN facet_tokens`);
    await q.query(`DROP FUNCTION product_facet_tokens(jsonb)`);
    await q.query(`CREATE INDEX product_facets_idx ON product USING gin (facets jsonb_path_ops)`);
  }
}
