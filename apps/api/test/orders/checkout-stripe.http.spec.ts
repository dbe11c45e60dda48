import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReservationExpirySweeper } from '../../src/orders/reservation-expiry.sweeper';
import type { CartWorld } from '../cart/cart-fixture';
import { startLocalStripe, type LocalStripe } from '../support/stripe-server';
import {
  addLine,
  checkout,
  checkoutBody,
  orderRow,
  reservationsOf,
  startOrdersWorld,
  stockOf,
} from './orders-fixture';

let stripe: LocalStripe;
let world: CartWorld;

beforeAll(async () => {
  stripe = await startLocalStripe();
  // A short timeout so that a slow Stripe is a timeout; no retry by the SDK (the tests retry).
  world = await startOrdersWorld(
    stripe.env({ STRIPE_TIMEOUT_MS: '300', STRIPE_MAX_NETWORK_RETRIES: '0' }),
  );
  // Stripe delivers its webhooks over HTTP: the API listens on a local port.
  await world.t.app.listen({ host: '127.0.0.1', port: 0 });
  const url = (await world.t.app.getUrl()).replace('[::1]', '127.0.0.1');
  stripe.setWebhookEndpoint(`${url}/api/payments/stripe/webhook`);
});
afterAll(async () => {
  await world.close();
  await stripe.close();
});

const intentsOfOrder = (orderId: string) =>
  [...stripe.intents.values()].filter((i) => i.metadata['orderId'] === orderId);

async function confirmations(): Promise<number> {
  const [row] = await world.owner.query<{ n: string }[]>(
    `SELECT count(*) AS n FROM mail_outbox WHERE template = 'order-confirmation'`,
  );
  return Number(row?.n ?? 0);
}

describe('checkout with Stripe (the real SDK against the local Stripe)', () => {
  it('creates the intent from the order, and a signed succeeded webhook delivered twice pays it once', async () => {
    const browser = world.browser();
    const variantId = await world.variant({ price: 3000, stock: 3 });
    await addLine(browser, variantId, 1);
    const answer = await checkout(browser, checkoutBody());
    expect(answer.payment).toMatchObject({
      provider: 'stripe',
      amount: 3490,
      currency: 'EUR',
      publishableKey: stripe.publishableKey,
    });
    const [intent] = intentsOfOrder(answer.orderId);
    expect(intent).toMatchObject({ id: answer.payment.paymentIntentId, amount: 3490 });

    const before = await confirmations();
    const event = stripe.setIntentState(answer.payment.paymentIntentId, 'succeeded');
    expect((await stripe.deliver(event)).status).toBe(200);
    expect((await stripe.deliver(event)).status).toBe(200);
    expect((await orderRow(world, answer.orderId)).status).toBe('paid');
    expect(await reservationsOf(world, answer.orderId)).toEqual([
      { status: 'committed', quantity: 1 },
    ]);
    expect(await stockOf(world, variantId)).toBe(2);
    expect(await confirmations()).toBe(before + 1);
  });

  it('keeps the order pending when Stripe times out, and the retry with the same key makes no second intent', async () => {
    const browser = world.browser();
    await addLine(browser, await world.variant(), 1);
    const body = checkoutBody();
    // Stripe creates the intent but answers too late.
    stripe.failNext({ kind: 'delay', ms: 1_500 }, 1, '/v1/payment_intents');
    const first = await browser.post('/api/checkout', body);
    expect(first.status, JSON.stringify(first.body)).toBe(503);
    const [order] = await world.owner.query<{ id: string; status: string }[]>(
      `SELECT id, status FROM orders WHERE checkout_key = $1`,
      [body.checkoutKey],
    );
    expect(order?.status).toBe('pending_payment');
    const orderId = order?.id ?? '';
    await new Promise((resolve) => setTimeout(resolve, 1_300));
    expect(intentsOfOrder(orderId)).toHaveLength(1);

    const retried = await checkout(browser, body);
    expect(retried.orderId).toBe(orderId);
    expect(intentsOfOrder(orderId).map((i) => i.id)).toEqual([retried.payment.paymentIntentId]);
    expect((await orderRow(world, orderId)).payment_intent_id).toBe(
      retried.payment.paymentIntentId,
    );
  });

  it('refuses a succeeded intent whose amount differs from the order (mismatch, order pending)', async () => {
    const browser = world.browser();
    await addLine(browser, await world.variant({ price: 1500 }), 1);
    const answer = await checkout(browser, checkoutBody());
    await world.owner.query(
      `UPDATE orders SET subtotal_amount = subtotal_amount - 1, total_amount = total_amount - 1 WHERE id = $1`,
      [answer.orderId],
    );
    const event = stripe.setIntentState(answer.payment.paymentIntentId, 'succeeded');
    expect((await stripe.deliver(event)).status).toBe(200);
    expect((await orderRow(world, answer.orderId)).status).toBe('pending_payment');
  });

  it('cancels the order, gives the stock back, when Stripe reports the intent cancelled', async () => {
    const browser = world.browser();
    const variantId = await world.variant({ stock: 1 });
    await addLine(browser, variantId, 1);
    const answer = await checkout(browser, checkoutBody());
    expect(await stockOf(world, variantId)).toBe(0);
    const event = stripe.setIntentState(answer.payment.paymentIntentId, 'canceled');
    expect((await stripe.deliver(event)).status).toBe(200);
    expect((await orderRow(world, answer.orderId)).status).toBe('cancelled');
    expect(await stockOf(world, variantId)).toBe(1);
  });

  it('reconciles a paid order whose webhook never came (once), and ignores the late webhook', async () => {
    const browser = world.browser();
    const variantId = await world.variant({ stock: 2 });
    await addLine(browser, variantId, 1);
    const answer = await checkout(browser, checkoutBody());
    // The customer paid on Stripe, but the webhook is lost.
    const event = stripe.setIntentState(answer.payment.paymentIntentId, 'succeeded');
    const sweeper = world.t.app.get(ReservationExpirySweeper);
    const before = await confirmations();
    // Too recent to reconcile: the webhook may still come.
    await sweeper.sweep();
    expect((await orderRow(world, answer.orderId)).status).toBe('pending_payment');

    await world.owner.query(
      `UPDATE orders SET created_at = now() - interval '10 minutes' WHERE id = $1`,
      [answer.orderId],
    );
    await sweeper.sweep();
    expect((await orderRow(world, answer.orderId)).status).toBe('paid');
    expect(await reservationsOf(world, answer.orderId)).toEqual([
      { status: 'committed', quantity: 1 },
    ]);
    const events = await world.owner.query<{ id: string; outcome: string }[]>(
      `SELECT id, outcome FROM payment_events WHERE payment_intent_id = $1`,
      [answer.payment.paymentIntentId],
    );
    expect(events).toEqual([
      { id: `evt_reconcile_${answer.payment.paymentIntentId}_succeeded`, outcome: 'processed' },
    ]);
    // The webhook arrives at last: acknowledged, nothing applied twice.
    expect((await stripe.deliver(event)).status).toBe(200);
    await sweeper.sweep();
    expect((await orderRow(world, answer.orderId)).status).toBe('paid');
    expect(await confirmations()).toBe(before + 1);
    expect(await stockOf(world, variantId)).toBe(1);
  });

  it('never cancels an expired order whose intent succeeded: it is paid by reconciliation instead', async () => {
    const browser = world.browser();
    const variantId = await world.variant({ stock: 1 });
    await addLine(browser, variantId, 1);
    const answer = await checkout(browser, checkoutBody());
    stripe.setIntentState(answer.payment.paymentIntentId, 'succeeded');
    await world.owner.query(
      `UPDATE orders SET created_at = now() - interval '1 hour',
              reservation_expires_at = now() - interval '1 minute' WHERE id = $1`,
      [answer.orderId],
    );
    await world.t.app.get(ReservationExpirySweeper).sweep();
    expect((await orderRow(world, answer.orderId)).status).toBe('paid');
    expect(await stockOf(world, variantId)).toBe(0);
  });
});
