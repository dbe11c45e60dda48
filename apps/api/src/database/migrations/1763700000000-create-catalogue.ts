import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The catalogue: a category tree, products with full-text search and facets, variants (SKUs) and
 * images. Money is integer minor units; VAT rates are basis points. `gen_random_uuid()` is built
 * in (PostgreSQL 13+), so no extension or superuser is needed.
 */
export class CreateCatalogue1763700000000 implements MigrationInterface {
  name = 'CreateCatalogue1763700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE category (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        parent_id   uuid REFERENCES category(id) ON DELETE RESTRICT,
        slug        varchar(120) NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
        name        varchar(200) NOT NULL,
        description text NOT NULL DEFAULT '',
        path        text NOT NULL UNIQUE,
        position    integer NOT NULL DEFAULT 0,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX category_parent_idx ON category (parent_id, position)`);
    await q.query(`CREATE INDEX category_path_idx ON category (path text_pattern_ops)`);

    await q.query(`
      CREATE TABLE product (
        id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        category_id   uuid NOT NULL REFERENCES category(id) ON DELETE RESTRICT,
        slug          varchar(160) NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
        name          varchar(200) NOT NULL,
        brand         varchar(120) NOT NULL DEFAULT '',
        description   text NOT NULL DEFAULT '',
        status        varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('draft', 'active', 'archived')),
        attributes    jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(attributes) = 'object'),
        facets        jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(facets) = 'object'),
        price_from    integer NOT NULL CHECK (price_from >= 0),
        price_to      integer NOT NULL CHECK (price_to >= price_from),
        currency      char(3) NOT NULL DEFAULT 'EUR',
        in_stock      boolean NOT NULL DEFAULT false,
        published_at  timestamptz NOT NULL DEFAULT now(),
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        search_vector tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector('english', name), 'A') ||
          setweight(to_tsvector('english', brand), 'B') ||
          setweight(to_tsvector('english', description), 'C')
        ) STORED
      )`);
    await q.query(`CREATE INDEX product_search_idx ON product USING gin (search_vector)`);
    await q.query(`CREATE INDEX product_facets_idx ON product USING gin (facets jsonb_path_ops)`);
    await q.query(
      `CREATE INDEX product_category_idx ON product (category_id) WHERE status = 'active'`,
    );
    await q.query(
      `CREATE INDEX product_newest_idx ON product (published_at DESC, id DESC) WHERE status = 'active'`,
    );
    await q.query(
      `CREATE INDEX product_price_idx ON product (price_from, id) WHERE status = 'active'`,
    );
    await q.query(`CREATE INDEX product_name_idx ON product (name, id) WHERE status = 'active'`);

    await q.query(`
      CREATE TABLE product_variant (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        product_id   uuid NOT NULL REFERENCES product(id) ON DELETE CASCADE,
        sku          varchar(64) NOT NULL UNIQUE,
        options      jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(options) = 'object'),
        price_amount integer NOT NULL CHECK (price_amount >= 0),
        currency     char(3) NOT NULL DEFAULT 'EUR',
        vat_rate_bp  integer NOT NULL CHECK (vat_rate_bp BETWEEN 0 AND 10000),
        stock        integer NOT NULL DEFAULT 0 CHECK (stock >= 0),
        status       varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
        position     integer NOT NULL DEFAULT 0,
        created_at   timestamptz NOT NULL DEFAULT now(),
        updated_at   timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX product_variant_product_idx ON product_variant (product_id, position)`,
    );

    await q.query(`
      CREATE TABLE product_image (
        id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        product_id uuid NOT NULL REFERENCES product(id) ON DELETE CASCADE,
        url        varchar(2048) NOT NULL,
        alt        varchar(300) NOT NULL DEFAULT '',
        position   integer NOT NULL DEFAULT 0,
        UNIQUE (product_id, position)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE product_image`);
    await q.query(`DROP TABLE product_variant`);
    await q.query(`DROP TABLE product`);
    await q.query(`DROP TABLE category`);
  }
}
