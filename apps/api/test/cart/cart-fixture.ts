import { randomBytes } from 'node:crypto';
import type { ModuleMetadata } from '@nestjs/common';
import pg from 'pg';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { inject } from 'vitest';
import { loadConfig } from '../../src/config/app-config';
import { CouponsService, type CouponTerms } from '../../src/coupons/coupons.service';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { randomIp, type IdentityWorld } from '../identity/identity-fixture';
import { Browser } from '../support/browser';
import { startSmtpListener } from '../support/smtp-listener';
import { startTestApp } from '../support/test-app';

/** What a test variant looks like (defaults: €19.99, 20 % VAT, 100 in stock, all active). */
export interface VariantSpec {
  price?: number;
  vatRateBp?: number;
  stock?: number;
  status?: 'active' | 'inactive';
  productStatus?: 'draft' | 'active' | 'archived';
}

/** A running API with the cart module, on a database of its own, with a real SMTP listener. */
export interface CartWorld extends IdentityWorld {
  /** The schema owner's connection to this world's database (fixtures, inspection). */
  owner: DataSource;
  /** The database URL the API uses (runtime role). */
  databaseUrl: string;
  /** Creates a product with one variant; returns the variant id. */
  variant(spec?: VariantSpec): Promise<string>;
  /** Creates a coupon through the service (the code is returned once). */
  coupon(terms?: Partial<CouponTerms>): Promise<{ id: string; code: string }>;
}

/* eslint-disable no-restricted-syntax -- DDL needs identifiers: the database and role names come
   from the run's own generated names, never from input. */

/**
 * Starts the API on a fresh, migrated database of its own: cart tests change
 * stock, prices and publication of their own products, so they never disturb the catalogue tests
 * sharing the run's database. The API connects as the run's DML-only role.
 */
export async function startCartWorld(
  env: Record<string, string> = {},
  logger?: Logger,
  extraImports: ModuleMetadata['imports'] = [],
): Promise<CartWorld> {
  const testEnv = inject('testEnv');
  const ownerUrl = new URL(testEnv.ownerDatabaseUrl);
  const database = `${ownerUrl.pathname.slice(1)}_cart_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ownerUrl.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();

  ownerUrl.pathname = `/${database}`;
  const owner = await new DataSource(
    dataSourceOptions(
      loadConfig({ NODE_ENV: 'test', DATABASE_URL: ownerUrl.toString() }),
      'migrate',
    ),
  ).initialize();
  await owner.runMigrations({ transaction: 'each' });
  const runtimeUrl = new URL(testEnv.databaseUrl);
  const role = runtimeUrl.username;
  await owner.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
  await owner.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
  await owner.query(
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`,
  );
  await owner.query(`REVOKE ALL ON schema_migrations FROM ${role}`);
  await owner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM ${role}`);
  const [category] = await owner.query<{ id: string }[]>(
    `INSERT INTO category (slug, name, path) VALUES ('cart-tests', 'Cart tests', '/cart-tests/') RETURNING id`,
  );
  runtimeUrl.pathname = `/${database}`;

  const smtp = await startSmtpListener();
  const t = await startTestApp({
    ...(logger ? { logger } : {}),
    extraImports,
    env: {
      ...smtp.env,
      DATABASE_URL: runtimeUrl.toString(),
      MAIL_WORKER: 'inline',
      RATE_LIMIT_AUTH: '1000/60',
      RATE_LIMIT_CHECKOUT: '1000/60',
      RATE_LIMIT_DEFAULT: '100000/60',
      ...env,
    },
  });

  let counter = 0;
  return {
    t,
    smtp,
    owner,
    databaseUrl: runtimeUrl.toString(),
    browser: (ip?: string) => new Browser(t.app, ip ?? randomIp()),
    variant: async (spec: VariantSpec = {}) => {
      counter += 1;
      const tag = `${randomBytes(4).toString('hex')}-${counter}`;
      const price = spec.price ?? 1999;
      const [product] = await owner.query<{ id: string }[]>(
        `INSERT INTO product (category_id, slug, name, status, price_from, price_to, in_stock)
         VALUES ($1, $2, $3, $4, $5, $5, true) RETURNING id`,
        [
          category?.id,
          `cart-item-${tag}`,
          `Cart item ${tag}`,
          spec.productStatus ?? 'active',
          price,
        ],
      );
      const [variant] = await owner.query<{ id: string }[]>(
        `INSERT INTO product_variant (product_id, sku, options, price_amount, vat_rate_bp, stock, status)
         VALUES ($1, $2, '{"size":"M"}', $3, $4, $5, $6) RETURNING id`,
        [
          product?.id,
          `SKU-${tag}`,
          price,
          spec.vatRateBp ?? 2000,
          spec.stock ?? 100,
          spec.status ?? 'active',
        ],
      );
      return variant?.id ?? '';
    },
    coupon: (terms: Partial<CouponTerms> = {}) =>
      t.app.get(CouponsService).create({
        discountKind: 'percent',
        discountValue: 10,
        minSubtotal: 0,
        validFrom: new Date(Date.now() - 60_000),
        validUntil: new Date(Date.now() + 86_400_000),
        maxRedemptions: null,
        maxRedemptionsPerCustomer: null,
        ...terms,
      }),
    close: async () => {
      await t.close();
      await smtp.close();
      await owner.destroy();
      const cleanup = new pg.Client({ connectionString: testEnv.ownerDatabaseUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
