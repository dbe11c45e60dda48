import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config';
import { dataSourceOptions } from '../database/data-source-options';
import { seedCatalogue } from '../seed/seed-catalogue';
import { ProductListingRepository } from './product-listing.repository';

describe('price-bounded listing pages on the embedded database (development default)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'storefront-listing-pglite-'));
  const config = loadConfig({ EMBEDDED_DATA_DIR: dir });
  let db: DataSource;

  beforeAll(async () => {
    db = await new DataSource(dataSourceOptions(config)).initialize();
    await db.runMigrations();
    await seedCatalogue(db, { productCount: 80 });
  }, 60_000);
  afterAll(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the same products with either page shape, as on PostgreSQL', async () => {
    const repository = new ProductListingRepository(db);
    const prices = (
      await db.query<{ price: number }[]>(
        `SELECT price_to AS price FROM product WHERE status = 'active' ORDER BY price_to DESC`,
      )
    ).map((row) => row.price);
    const shapes = new Set<string>();
    for (const minPrice of [prices[2]!, prices.at(-1)!]) {
      const filter = { facets: [], minPrice };
      shapes.add(await repository.pageShape(filter, 10));
      const expected = await db.query<{ id: string }[]>(
        `SELECT id FROM product WHERE status = 'active' AND price_to >= $1
          ORDER BY published_at DESC, id DESC LIMIT 11`,
        [minPrice],
      );
      const rows = await repository.page(filter, 'newest', 10);
      expect(rows.map((row) => row.id)).toEqual(expected.map((row) => row.id));
    }
    expect([...shapes].sort()).toEqual(['range', 'walk']);
  });
});
