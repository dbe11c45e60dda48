import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';
import { MIGRATIONS } from './migrations';

describe('embedded PostgreSQL (PGlite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'storefront-pglite-'));
  let db: DataSource;

  beforeAll(async () => {
    db = await new DataSource(
      dataSourceOptions(loadConfig({ EMBEDDED_DATA_DIR: dir })),
    ).initialize();
    await db.runMigrations();
  });
  afterAll(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the same migrations as PostgreSQL', async () => {
    const rows = await db.query<{ name: string }[]>('SELECT name FROM schema_migrations');
    expect(rows.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
  });

  it('serialises transactions, so concurrent read-modify-writes lose no update', async () => {
    await db.query(
      `INSERT INTO category (slug, name, path) VALUES ('counter', 'Counter', '/counter/')`,
    );
    const increments = 25;
    await Promise.all(
      Array.from({ length: increments }, () =>
        db.transaction(async (tx) => {
          const [row] = await tx.query<{ position: number }[]>(
            `SELECT position FROM category WHERE slug = 'counter'`,
          );
          await new Promise((resolve) => setTimeout(resolve, 1));
          await tx.query(`UPDATE category SET position = $1 WHERE slug = 'counter'`, [
            row!.position + 1,
          ]);
        }),
      ),
    );
    const [row] = await db.query<{ position: number }[]>(
      `SELECT position FROM category WHERE slug = 'counter'`,
    );
    expect(row!.position).toBe(increments);
  });

  it('rolls a failed transaction back', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO category (slug, name, path) VALUES ('ghost', 'Ghost', '/ghost/')`,
        );
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await db.query(`SELECT 1 FROM category WHERE slug = 'ghost'`)).toEqual([]);
  });
});
