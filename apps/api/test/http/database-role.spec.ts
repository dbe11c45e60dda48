import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { startTestApp, type TestApp } from '../support/test-app';

describe('runtime database role', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves the API with data rights only: no DDL, no migration table', async () => {
    const db = t.app.get(DataSource);
    await expect(db.query('SELECT count(*) FROM product')).resolves.toBeDefined();
    await expect(db.query('CREATE TABLE intruder (id int)')).rejects.toThrow(/permission denied/);
    await expect(db.query('DROP TABLE product')).rejects.toThrow(/must be owner|permission denied/);
    await expect(db.query('SELECT * FROM schema_migrations')).rejects.toThrow(/permission denied/);
  });

  it('enforces money and stock invariants in the schema itself', async () => {
    const db = t.app.get(DataSource);
    await expect(
      db.query(
        `UPDATE product_variant SET stock = -1 WHERE id = (SELECT id FROM product_variant LIMIT 1)`,
      ),
    ).rejects.toThrow(/check constraint/);
    await expect(
      db.query(
        `UPDATE product_variant SET price_amount = -100 WHERE id = (SELECT id FROM product_variant LIMIT 1)`,
      ),
    ).rejects.toThrow(/check constraint/);
  });
});
