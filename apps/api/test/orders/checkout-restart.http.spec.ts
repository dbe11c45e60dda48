import { ErrorBodySchema } from '@storefront/contracts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CartWorld } from '../cart/cart-fixture';
import { randomIp } from '../identity/identity-fixture';
import { Browser } from '../support/browser';
import { startLocalStripe, type LocalStripe } from '../support/stripe-server';
import type { TestApp } from '../support/test-app';
import { startInstance, waitFor } from './fault-fixture';
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
 * The API restarts between the PaymentIntent's creation and its webhook: instance A takes the
 * checkout and is closed; a fresh instance B on the same PostgreSQL and Redis receives what
 * follows. Nothing of the payment may depend on A's memory.
 */

let stripe: LocalStripe;
let world: CartWorld;
const instances: TestApp[] = [];

beforeAll(async () => {
  stripe = await startLocalStripe();
  world = await startOrdersWorld(stripe.env());
});
afterEach(async () => {
  for (const instance of instances.splice(0)) await instance.close();
});
afterAll(async () => {
  await world.close();
  await stripe.close();
});

async function instance(env: Record<string, string> = {}, listen = false): Promise<TestApp> {
  const started = await startInstance(world, { env: stripe.env(env), listen });
  instances.push(started);
  return started;
}

async function stop(app: TestApp): Promise<void> {
  instances.splice(instances.indexOf(app), 1);
  await app.close();
}

/** B, listening, as Stripe's webhook endpoint. */
async function webhookInstance(env: Record<string, string> = {}): Promise<TestApp> {
  const b = await instance(env, true);
  stripe.setWebhookEndpoint(`${b.url}/api/payments/stripe/webhook`);
  return b;
}

const intentsOfOrder = (orderId: string) =>
  [...stripe.intents.values()].filter((i) => i.metadata['orderId'] === orderId);

async function outboxConfirmations(): Promise<number> {
  const [row] = await world.owner.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM mail_outbox WHERE template = 'order-confirmation'`,
  );
  return row?.n ?? 0;
}

describe('the API restarting between the PaymentIntent and its webhook', () => {
  it('applies the signed succeeded webhook on the new instance: order paid, stock committed once', async () => {
    const a = await instance();
    const browser = new Browser(a.app, randomIp());
    const variantId = await world.variant({ stock: 3 });
    await addLine(browser, variantId, 2);
    const answer = await checkout(browser, checkoutBody());
    expect(await stockOf(world, variantId)).toBe(1);
    await stop(a);

    await webhookInstance();
    const before = await outboxConfirmations();
    const event = stripe.setIntentState(answer.payment.paymentIntentId, 'succeeded');
    expect((await stripe.deliver(event)).status).toBe(200);
    expect((await stripe.deliver(event)).status).toBe(200);

    expect((await orderRow(world, answer.orderId)).status).toBe('paid');
    expect(await reservationsOf(world, answer.orderId)).toEqual([
      { status: 'committed', quantity: 2 },
    ]);
    expect(await stockOf(world, variantId)).toBe(1);
    expect(await outboxConfirmations()).toBe(before + 1);
  });

  it('settles the order from the intent’s real state when the webhook was lost: the new instance’s own reconciliation pays it, and the late webhook changes nothing', async () => {
    const a = await instance();
    const browser = new Browser(a.app, randomIp());
    const variantId = await world.variant({ stock: 2 });
    await addLine(browser, variantId, 1);
    const answer = await checkout(browser, checkoutBody());
    await stop(a);
    // The customer paid while no instance was up: Stripe's webhook never got through.
    const event = stripe.setIntentState(answer.payment.paymentIntentId, 'succeeded');
    // Old enough to be reconciled (the webhook would long have arrived).
    await world.owner.query(
      `UPDATE orders SET created_at = now() - interval '10 minutes' WHERE id = $1`,
      [answer.orderId],
    );
    const before = await outboxConfirmations();

    // B's in-process sweeper runs on its own timer: no test call to it.
    await webhookInstance({ ORDER_SWEEP_INTERVAL_MS: '100' });
    await waitFor(
      'the order to be paid by reconciliation',
      async () => (await orderRow(world, answer.orderId)).status === 'paid',
    );
    expect(await reservationsOf(world, answer.orderId)).toEqual([
      { status: 'committed', quantity: 1 },
    ]);
    expect(await stockOf(world, variantId)).toBe(1);
    const events = () =>
      world.owner.query<{ id: string; outcome: string }[]>(
        `SELECT id, outcome FROM payment_events WHERE payment_intent_id = $1 ORDER BY received_at`,
        [answer.payment.paymentIntentId],
      );
    expect(await events()).toEqual([
      { id: `evt_reconcile_${answer.payment.paymentIntentId}_succeeded`, outcome: 'processed' },
    ]);

    // Stripe's retry of the webhook arrives at last: acknowledged, nothing applied again.
    expect((await stripe.deliver(event)).status).toBe(200);
    expect((await events()).map((e) => e.outcome)).toEqual(['processed', 'ignored']);
    expect(await stockOf(world, variantId)).toBe(1);
    expect(await outboxConfirmations()).toBe(before + 1);
  });

  it('lets the customer finish on the new instance when A created the intent but never recorded it: the same intent, paid once', async () => {
    // A's Stripe call times out while Stripe has created the intent (its answer held back).
    const a = await instance({ STRIPE_TIMEOUT_MS: '300' });
    const browser = new Browser(a.app, randomIp());
    const variantId = await world.variant({ stock: 1 });
    await addLine(browser, variantId, 1);
    const body = checkoutBody();
    let answerStripe = (): void => undefined;
    stripe.failNext(
      {
        kind: 'hold',
        until: new Promise<void>((resolve) => {
          answerStripe = resolve;
        }),
      },
      1,
      '/v1/payment_intents',
    );
    const first = await browser.post('/api/checkout', body);
    answerStripe();
    expect(first.status, JSON.stringify(first.body)).toBe(503);
    expect(ErrorBodySchema.parse(first.body).error.code).toBe('PAYMENT_PROVIDER_UNAVAILABLE');
    const [order] = await world.owner.query<{ id: string; payment_intent_id: string | null }[]>(
      `SELECT id, payment_intent_id FROM orders WHERE checkout_key = $1`,
      [body.checkoutKey],
    );
    const orderId = order?.id ?? '';
    expect(order?.payment_intent_id).toBeNull();
    expect(intentsOfOrder(orderId)).toHaveLength(1);
    await stop(a);

    // The same browser (its session lives in Redis) retries on B.
    const b = await webhookInstance();
    const resumed = new Browser(b.app, browser.remoteAddress);
    resumed.sid = browser.sid;
    resumed.csrfToken = browser.csrfToken;
    const retried = await checkout(resumed, body);
    expect(retried.orderId).toBe(orderId);
    expect(intentsOfOrder(orderId).map((i) => i.id)).toEqual([retried.payment.paymentIntentId]);

    const event = stripe.setIntentState(retried.payment.paymentIntentId, 'succeeded');
    expect((await stripe.deliver(event)).status).toBe(200);
    expect((await orderRow(world, orderId)).status).toBe('paid');
    expect(await reservationsOf(world, orderId)).toEqual([{ status: 'committed', quantity: 1 }]);
    expect(await stockOf(world, variantId)).toBe(0);
  });
});
