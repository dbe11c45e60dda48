import type { ModuleMetadata } from '@nestjs/common';
import pg from 'pg';
import { inject } from 'vitest';
import type { CartWorld } from '../cart/cart-fixture';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Helpers of the fault tests: a second API instance on a world's database and Redis (another
 * process of the same deployment, or the same one after a restart), row locks held by the test
 * to stop a checkout at a chosen statement of its transaction, and waiting for conditions.
 */

/** Options of {@link startInstance}. */
export interface InstanceOptions {
  /** Extra environment (a payment provider, timeouts…), applied last. */
  env?: Record<string, string>;
  /** The database URL this instance uses (default: the world's, e.g. wrapped by a TcpProxy). */
  databaseUrl?: string;
  /** The Redis URL this instance uses (default: the run's). */
  redisUrl?: string;
  /** Listen on a local port (for webhooks posted over HTTP). */
  listen?: boolean;
  extraImports?: ModuleMetadata['imports'];
}

/**
 * Starts another instance of the API on the world's database and Redis key prefix, configured
 * like the world's own instance: it sees the same carts, sessions, orders and stock.
 */
export function startInstance(world: CartWorld, options: InstanceOptions = {}): Promise<TestApp> {
  return startTestApp({
    listen: options.listen ?? false,
    extraImports: options.extraImports ?? [],
    env: {
      ...world.smtp.env,
      DATABASE_URL: options.databaseUrl ?? world.databaseUrl,
      ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
      REDIS_KEY_PREFIX: world.t.config.redis.keyPrefix,
      MAIL_WORKER: 'inline',
      RATE_LIMIT_AUTH: '1000/60',
      RATE_LIMIT_CHECKOUT: '1000/60',
      RATE_LIMIT_DEFAULT: '100000/60',
      ORDER_SWEEP_INTERVAL_MS: '3600000',
      ...options.env,
    },
  });
}

/** Waits until `check` returns a value other than undefined/false, polling; throws after `ms`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A row lock held by the test in its own transaction (schema owner's connection). */
export interface HeldLock {
  release(): Promise<void>;
}

const LOCKABLE = {
  product_variant: 'SELECT id FROM product_variant WHERE id = $1 FOR UPDATE',
  carts: 'SELECT id FROM carts WHERE id = $1 FOR UPDATE',
} as const;

/**
 * Locks a row until `release()`: the API's transaction that writes the row waits at that
 * statement, everything it did before in the transaction written but not committed.
 */
export async function holdRowLock(
  world: CartWorld,
  table: keyof typeof LOCKABLE,
  id: string,
): Promise<HeldLock> {
  // A connection of its own: the world's owner connection stays free to inspect meanwhile.
  const url = new URL(inject('testEnv').ownerDatabaseUrl);
  url.pathname = new URL(world.databaseUrl).pathname;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query('BEGIN');
  const { rowCount } = await client.query(LOCKABLE[table], [id]);
  if (rowCount !== 1) throw new Error(`no ${table} row ${id} to lock`);
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      await client.query('ROLLBACK');
      await client.end();
    },
  };
}

/** The API's backends (the runtime role) in the world's database, with what they wait for. */
async function apiBackends(
  world: CartWorld,
): Promise<{ pid: number; wait_event_type: string | null; query: string; state: string }[]> {
  return world.owner.query(
    `SELECT pid, wait_event_type, query, state FROM pg_stat_activity
      WHERE datname = current_database() AND usename = $1`,
    [decodeURIComponent(new URL(world.databaseUrl).username)],
  );
}

/** Waits until one of the API's backends waits for a lock in a statement matching `statement`. */
export function waitForBlockedStatement(world: CartWorld, statement: RegExp): Promise<number> {
  return waitFor(`an API backend blocked in ${String(statement)}`, async () => {
    const blocked = (await apiBackends(world)).find(
      (b) => b.wait_event_type === 'Lock' && statement.test(b.query),
    );
    return blocked?.pid;
  });
}

/** Waits until the backend `pid` has ended (its transaction rolled back, its locks gone). */
export function waitForBackendEnd(world: CartWorld, pid: number): Promise<true> {
  return waitFor(`backend ${pid} to end`, async () =>
    (await apiBackends(world)).every((b) => b.pid !== pid),
  );
}

/** Counts rows of the order tables (a half-written checkout would leave some behind). */
export async function orderTableCounts(
  world: CartWorld,
): Promise<{ orders: number; lines: number; reservations: number; redemptions: number }> {
  const [row] = await world.owner.query<
    { orders: number; lines: number; reservations: number; redemptions: number }[]
  >(
    `SELECT (SELECT count(*) FROM orders)::int AS orders,
            (SELECT count(*) FROM order_lines)::int AS lines,
            (SELECT count(*) FROM stock_reservations)::int AS reservations,
            (SELECT count(*) FROM coupon_redemptions)::int AS redemptions`,
  );
  if (!row) throw new Error('no counts');
  return row;
}

/** The cart lines holding these variants (variant, quantity), by variant id. */
export async function cartQuantities(
  world: CartWorld,
  variantIds: string[],
): Promise<{ variant_id: string; quantity: number }[]> {
  return world.owner.query(
    `SELECT variant_id, quantity FROM cart_lines WHERE variant_id = ANY($1::uuid[])
      ORDER BY variant_id`,
    [variantIds],
  );
}
