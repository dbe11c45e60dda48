import { ErrorBodySchema } from '@storefront/contracts';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ReservationExpirySweeper } from '../../src/orders/reservation-expiry.sweeper';
import type { CartWorld } from '../cart/cart-fixture';
import { randomIp } from '../identity/identity-fixture';
import { Browser, type BrowserResponse } from '../support/browser';
import { startLocalStripe, type LocalStripe } from '../support/stripe-server';
import { TcpProxy } from '../support/tcp-proxy';
import type { TestApp } from '../support/test-app';
import {
  cartQuantities,
  holdRowLock,
  orderTableCounts,
  startInstance,
  waitFor,
  waitForBackendEnd,
  waitForBlockedStatement,
  type HeldLock,
} from './fault-fixture';
import {
  addLine,
  checkout,
  checkoutBody,
  orderRow,
  reservationsOf,
  startOrdersWorld,
  stockOf,
} from './orders-fixture';

/**
 * Checkout when PostgreSQL or Redis fails part-way: the API instances under test reach both
 * stores through TCP proxies the tests cut (refusing connections) or drop (killing the open ones
 * while the pool may reconnect); the world's own instance and the schema owner's connection go
 * direct, to set up and to inspect. Stripe is the local Stripe-compatible server.
 */

let stripe: LocalStripe;
let world: CartWorld;
let pgProxy: TcpProxy;
let redisProxy: TcpProxy;
/** Stripe payments, PostgreSQL and Redis through the proxies. */
let shop: TestApp;
/** The development payment provider (its intents live in Redis), Redis through the proxy. */
let devShop: TestApp;
const locks: HeldLock[] = [];

beforeAll(async () => {
  stripe = await startLocalStripe();
  world = await startOrdersWorld(stripe.env());
  const env = inject('testEnv');
  const db = new URL(world.databaseUrl);
  pgProxy = await new TcpProxy(db.hostname, Number(db.port || 5432)).start();
  const redis = new URL(env.redisUrl);
  redisProxy = await new TcpProxy(redis.hostname, Number(redis.port || 6379)).start();
  shop = await startInstance(world, {
    databaseUrl: pgProxy.wrap(world.databaseUrl),
    redisUrl: redisProxy.wrap(env.redisUrl),
    env: stripe.env({ STRIPE_TIMEOUT_MS: '10000' }),
    listen: true,
  });
  stripe.setWebhookEndpoint(`${shop.url}/api/payments/stripe/webhook`);
  devShop = await startInstance(world, {
    redisUrl: redisProxy.wrap(env.redisUrl),
    env: { PAYMENT_PROVIDER: 'development' },
  });
});
afterEach(async () => {
  // A failed assertion must not leave a store unreachable or a row locked for the next test.
  for (const lock of locks.splice(0)) await lock.release();
  await restore();
});
afterAll(async () => {
  await shop.close();
  await devShop.close();
  await pgProxy.cut();
  await redisProxy.cut();
  await world.close();
  await stripe.close();
});

/** Puts the cut proxies back and waits until both instances report ready again. */
async function restore(): Promise<void> {
  for (const proxy of [pgProxy, redisProxy]) {
    if (!proxy.listening) await proxy.start();
  }
  for (const instance of [shop, devShop]) {
    await waitFor('the instance to be ready again', async () => {
      const ready = await instance.app
        .getHttpAdapter()
        .getInstance()
        .inject({ method: 'GET', url: '/api/health/ready' });
      return ready.statusCode === 200;
    });
  }
}

async function lock(table: 'product_variant' | 'carts', id: string): Promise<HeldLock> {
  const held = await holdRowLock(world, table, id);
  locks.push(held);
  return held;
}

/** A 503 in the stable envelope (exactly: nothing of the driver's error in it), never cached. */
function expectUnavailable(response: BrowserResponse): void {
  expect(response.status, JSON.stringify(response.body)).toBe(503);
  const body = ErrorBodySchema.parse(response.body);
  expect(body.error).toEqual({
    code: 'SERVICE_UNAVAILABLE',
    message: 'The service is temporarily unavailable.',
    requestId: response.headers['x-request-id'],
  });
  expect(response.headers['cache-control']).toBe('no-store');
}

async function cartIdOf(variantId: string): Promise<string> {
  const [row] = await world.owner.query<{ cart_id: string }[]>(
    `SELECT cart_id FROM cart_lines WHERE variant_id = $1`,
    [variantId],
  );
  if (!row) throw new Error('no cart holds the variant');
  return row.cart_id;
}

async function ordersWithKey(key: string): Promise<{ id: string; status: string }[]> {
  return world.owner.query(`SELECT id, status FROM orders WHERE checkout_key = $1`, [key]);
}

const intentsOfOrder = (orderId: string) =>
  [...stripe.intents.values()].filter((i) => i.metadata['orderId'] === orderId);

describe('checkout while Redis is unavailable', () => {
  it('refuses a checkout submitted while Redis is unreachable with a 503, writing nothing; the same checkout succeeds once Redis is back', async () => {
    const browser = new Browser(shop.app, randomIp());
    const variantId = await world.variant({ stock: 5 });
    await addLine(browser, variantId, 2);
    const body = checkoutBody();
    const before = await orderTableCounts(world);

    await redisProxy.cut();
    expectUnavailable(await browser.post('/api/checkout', body));
    expect(await orderTableCounts(world)).toEqual(before);
    expect(await stockOf(world, variantId)).toBe(5);
    expect(await cartQuantities(world, [variantId])).toEqual([
      { variant_id: variantId, quantity: 2 },
    ]);

    await restore();
    const answer = await checkout(browser, body);
    expect(await ordersWithKey(body.checkoutKey)).toEqual([
      { id: answer.orderId, status: 'pending_payment' },
    ]);
    expect(await stockOf(world, variantId)).toBe(3);
    expect(intentsOfOrder(answer.orderId)).toHaveLength(1);
  });

  it('completes a Stripe checkout whose Redis goes away after the session was read (Redis is not on the order path)', async () => {
    const browser = new Browser(shop.app, randomIp());
    const variantId = await world.variant({ stock: 5 });
    await addLine(browser, variantId, 1);
    const body = checkoutBody();
    // The checkout stops at its first statement, the cart lock: guards and session are done.
    const cartLock = await lock('carts', await cartIdOf(variantId));
    const pending = browser.post('/api/checkout', body);
    await waitForBlockedStatement(world, /FROM carts WHERE id = \$1 FOR UPDATE/);
    await redisProxy.cut();
    await cartLock.release();

    const response = await pending;
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const [order] = await ordersWithKey(body.checkoutKey);
    expect(order?.status).toBe('pending_payment');
    expect(await reservationsOf(world, order?.id ?? '')).toEqual([{ status: 'held', quantity: 1 }]);
    expect(intentsOfOrder(order?.id ?? '')).toHaveLength(1);
  });

  it('answers 503 when Redis fails after the order was committed (development provider), leaving a pending order that the retry with the same key completes', async () => {
    const browser = new Browser(devShop.app, randomIp());
    const variantId = await world.variant({ stock: 4 });
    await addLine(browser, variantId, 3);
    const body = checkoutBody();
    const cartLock = await lock('carts', await cartIdOf(variantId));
    const pending = browser.post('/api/checkout', body);
    await waitForBlockedStatement(world, /FROM carts WHERE id = \$1 FOR UPDATE/);
    await redisProxy.cut();
    await cartLock.release();

    // The order transaction commits; creating the intent (kept in Redis) then fails.
    expectUnavailable(await pending);
    const [order] = await ordersWithKey(body.checkoutKey);
    expect(order?.status).toBe('pending_payment');
    const orderId = order?.id ?? '';
    expect((await orderRow(world, orderId)).payment_intent_id).toBeNull();
    expect(await reservationsOf(world, orderId)).toEqual([{ status: 'held', quantity: 3 }]);
    expect(await stockOf(world, variantId)).toBe(1);

    await restore();
    const retried = await checkout(browser, body);
    expect(retried.orderId).toBe(orderId);
    expect((await orderRow(world, orderId)).payment_intent_id).toBe(
      retried.payment.paymentIntentId,
    );
    expect(await ordersWithKey(body.checkoutKey)).toHaveLength(1);
    expect(await stockOf(world, variantId)).toBe(1);
  });

  it('gives the units back at expiry when the customer never returns after that failure', async () => {
    const browser = new Browser(devShop.app, randomIp());
    const variantId = await world.variant({ stock: 2 });
    await addLine(browser, variantId, 2);
    const body = checkoutBody();
    const cartLock = await lock('carts', await cartIdOf(variantId));
    const pending = browser.post('/api/checkout', body);
    await waitForBlockedStatement(world, /FROM carts WHERE id = \$1 FOR UPDATE/);
    await redisProxy.cut();
    await cartLock.release();
    expectUnavailable(await pending);
    const [order] = await ordersWithKey(body.checkoutKey);
    expect(await stockOf(world, variantId)).toBe(0);

    await restore();
    await world.owner.query(
      `UPDATE orders SET reservation_expires_at = now() - interval '1 minute' WHERE id = $1`,
      [order?.id],
    );
    const swept = await devShop.app.get(ReservationExpirySweeper).sweep();
    expect(swept.cancelled).toBeGreaterThanOrEqual(1);
    expect((await orderRow(world, order?.id ?? '')).status).toBe('cancelled');
    expect(await reservationsOf(world, order?.id ?? '')).toEqual([
      { status: 'released', quantity: 2 },
    ]);
    expect(await stockOf(world, variantId)).toBe(2);
  });
});

describe('checkout while PostgreSQL is unavailable', () => {
  it('refuses a checkout submitted while PostgreSQL is unreachable with a 503, writing nothing; it succeeds once PostgreSQL is back', async () => {
    const browser = new Browser(shop.app, randomIp());
    const variantId = await world.variant({ stock: 5 });
    await addLine(browser, variantId, 1);
    const body = checkoutBody();
    const before = await orderTableCounts(world);

    await pgProxy.cut();
    expectUnavailable(await browser.post('/api/checkout', body));
    expect(await orderTableCounts(world)).toEqual(before);
    expect(await stockOf(world, variantId)).toBe(5);

    await restore();
    const answer = await checkout(browser, body);
    expect(await ordersWithKey(body.checkoutKey)).toEqual([
      { id: answer.orderId, status: 'pending_payment' },
    ]);
    expect(await stockOf(world, variantId)).toBe(4);
  });

  it('rolls the whole checkout back when its connection is lost mid-transaction (order and lines written, stock not yet taken): 503, no order, stock and cart unchanged', async () => {
    const browser = new Browser(shop.app, randomIp());
    const variantId = await world.variant({ stock: 5 });
    const otherId = await world.variant({ stock: 5 });
    await addLine(browser, variantId, 2);
    await addLine(browser, otherId, 1);
    const body = checkoutBody();
    const before = await orderTableCounts(world);

    // The checkout stops at the stock UPDATE of the first variant (id order), after writing the
    // order and its lines in its transaction.
    const first = [variantId, otherId].sort()[0] ?? '';
    const variantLock = await lock('product_variant', first);
    const pending = browser.post('/api/checkout', body);
    const pid = await waitForBlockedStatement(world, /UPDATE product_variant SET stock/);
    pgProxy.dropConnections();
    expectUnavailable(await pending);
    await variantLock.release();
    await waitForBackendEnd(world, pid);

    expect(await orderTableCounts(world)).toEqual(before);
    expect(await ordersWithKey(body.checkoutKey)).toEqual([]);
    expect(await stockOf(world, variantId)).toBe(5);
    expect(await stockOf(world, otherId)).toBe(5);
    expect(await cartQuantities(world, [variantId, otherId])).toEqual(
      [
        { variant_id: variantId, quantity: 2 },
        { variant_id: otherId, quantity: 1 },
      ].sort((a, b) => (a.variant_id < b.variant_id ? -1 : 1)),
    );

    // The pool reconnects: the same checkout goes through, once.
    const answer = await checkout(browser, body);
    expect(await ordersWithKey(body.checkoutKey)).toEqual([
      { id: answer.orderId, status: 'pending_payment' },
    ]);
    expect(await stockOf(world, variantId)).toBe(3);
    expect(await stockOf(world, otherId)).toBe(4);
  });

  it('rolls back when PostgreSQL terminates the checkout’s backend mid-transaction (a server-side failure): 503, nothing written', async () => {
    const browser = new Browser(shop.app, randomIp());
    const variantId = await world.variant({ stock: 3 });
    await addLine(browser, variantId, 3);
    const body = checkoutBody();
    const before = await orderTableCounts(world);

    const variantLock = await lock('product_variant', variantId);
    const pending = browser.post('/api/checkout', body);
    const pid = await waitForBlockedStatement(world, /UPDATE product_variant SET stock/);
    await world.owner.query(`SELECT pg_terminate_backend($1)`, [pid]);
    expectUnavailable(await pending);
    await variantLock.release();
    await waitForBackendEnd(world, pid);

    expect(await orderTableCounts(world)).toEqual(before);
    expect(await stockOf(world, variantId)).toBe(3);
    const answer = await checkout(browser, body);
    expect((await orderRow(world, answer.orderId)).status).toBe('pending_payment');
    expect(await stockOf(world, variantId)).toBe(0);
  });

  it('answers 503 when PostgreSQL goes away after the order was committed and its intent created, and the retry records that same intent (no second one)', async () => {
    const browser = new Browser(shop.app, randomIp());
    const variantId = await world.variant({ stock: 2 });
    await addLine(browser, variantId, 1);
    const body = checkoutBody();
    // Stripe creates the intent but holds its answer: PostgreSQL becomes unreachable meanwhile,
    // so the intent's id cannot be recorded on the order.
    let answerStripe = (): void => undefined;
    const held = new Promise<void>((resolve) => {
      answerStripe = resolve;
    });
    stripe.failNext({ kind: 'hold', until: held }, 1, '/v1/payment_intents');
    const pending = browser.post('/api/checkout', body);
    const order = await waitFor('the order and its intent', async () => {
      const [row] = await ordersWithKey(body.checkoutKey);
      return row && intentsOfOrder(row.id).length === 1 ? row : undefined;
    });
    await pgProxy.cut();
    answerStripe();
    expectUnavailable(await pending);

    expect(order.status).toBe('pending_payment');
    expect((await orderRow(world, order.id)).payment_intent_id).toBeNull();
    expect(await reservationsOf(world, order.id)).toEqual([{ status: 'held', quantity: 1 }]);
    expect(await stockOf(world, variantId)).toBe(1);

    await restore();
    const retried = await checkout(browser, body);
    expect(retried.orderId).toBe(order.id);
    expect(intentsOfOrder(order.id).map((i) => i.id)).toEqual([retried.payment.paymentIntentId]);
    expect((await orderRow(world, order.id)).payment_intent_id).toBe(
      retried.payment.paymentIntentId,
    );
    expect(await stockOf(world, variantId)).toBe(1);
  });
  it('answers a webhook that arrives while PostgreSQL is unreachable with a 503 and records nothing; Stripe’s redelivery then pays the order once', async () => {
    const browser = new Browser(shop.app, randomIp());
    const variantId = await world.variant({ stock: 2 });
    await addLine(browser, variantId, 1);
    const answer = await checkout(browser, checkoutBody());
    const event = stripe.setIntentState(answer.payment.paymentIntentId, 'succeeded');

    await pgProxy.cut();
    const refused = await stripe.deliver(event);
    expect(refused.status).toBe(503);
    expect(ErrorBodySchema.parse(refused.body).error.code).toBe('SERVICE_UNAVAILABLE');
    expect(
      await world.owner.query(`SELECT id FROM payment_events WHERE id = $1`, [event.id]),
    ).toEqual([]);
    expect((await orderRow(world, answer.orderId)).status).toBe('pending_payment');

    await restore();
    expect((await stripe.deliver(event)).status).toBe(200);
    expect((await orderRow(world, answer.orderId)).status).toBe('paid');
    expect(await reservationsOf(world, answer.orderId)).toEqual([
      { status: 'committed', quantity: 1 },
    ]);
    expect(await stockOf(world, variantId)).toBe(1);
  });
});
