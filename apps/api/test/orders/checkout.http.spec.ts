import { ErrorBodySchema } from '@storefront/contracts';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReservationExpirySweeper } from '../../src/orders/reservation-expiry.sweeper';
import {
  PAYMENT_GATEWAY,
  paymentIdempotencyKey,
  type PaymentGateway,
} from '../../src/payments/payment-gateway';
import type { CartWorld } from '../cart/cart-fixture';
import { signedInCustomer } from '../identity/identity-fixture';
import type { Browser } from '../support/browser';
import {
  ADDRESS,
  addLine,
  checkout,
  checkoutBody,
  checkoutKey,
  orderRow,
  reservationsOf,
  startOrdersWorld,
  stockOf,
} from './orders-fixture';

let world: CartWorld;
let gateway: PaymentGateway;

beforeAll(async () => {
  world = await startOrdersWorld();
  gateway = world.t.app.get<PaymentGateway>(PAYMENT_GATEWAY);
});
afterAll(async () => {
  await world.close();
});

function expectError(response: { status: number; body: unknown }, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(ErrorBodySchema.parse(response.body).error.code).toBe(code);
}

/** Pays an intent the way Stripe.js would, through the development provider. */
async function pay(
  browser: Browser,
  intentId: string,
  clientSecret: string,
  paymentMethod = 'pm_card_visa',
) {
  return browser.post(`/api/payments/development/intents/${intentId}/confirm`, {
    clientSecret,
    paymentMethod,
  });
}

/** Confirmation emails in the outbox (their recipients and parameters are sealed). */
async function confirmations(): Promise<number> {
  const [row] = await world.owner.query<{ n: string }[]>(
    `SELECT count(*) AS n FROM mail_outbox WHERE template = 'order-confirmation'`,
  );
  return Number(row?.n ?? 0);
}

describe('guest checkout', () => {
  it('turns the cart into one pending order priced by the server, with stock reserved and the address sealed', async () => {
    const browser = world.browser();
    const variantId = await world.variant({ price: 2450, stock: 5 });
    const cartTotal = await addLine(browser, variantId, 2);
    const answer = await checkout(browser, checkoutBody());

    expect(answer.status).toBe('pending_payment');
    expect(answer.orderNumber).toMatch(/^SO-[0-9A-Z]{10}$/);
    // 2 × 24.50 + 4.90 standard shipping, from the database.
    expect(answer.payment).toMatchObject({
      provider: 'development',
      amount: cartTotal + 490,
      currency: 'EUR',
      publishableKey: null,
    });
    const order = await orderRow(world, answer.orderId);
    expect(order).toMatchObject({
      status: 'pending_payment',
      total_amount: 5390,
      subtotal_amount: 4900,
      payment_intent_id: answer.payment.paymentIntentId,
      user_id: null,
    });
    expect(order.shipping_address_sealed).toMatch(/^fe1\./);
    expect(order.shipping_address_sealed).not.toContain(ADDRESS.city);
    expect(order.guest_email_sealed).toMatch(/^fe1\./);
    expect(order.guest_email_index).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await stockOf(world, variantId)).toBe(3);
    expect(await reservationsOf(world, answer.orderId)).toEqual([{ status: 'held', quantity: 2 }]);
    const intent = await gateway.retrieveIntent(answer.payment.paymentIntentId);
    expect(intent).toMatchObject({ amount: 5390, currency: 'EUR', orderId: answer.orderId });
    // The cart is empty afterwards.
    const cart = await browser.get('/api/cart');
    expect((cart.body as { lines: unknown[] }).lines).toEqual([]);
  });

  it('gives one order and one PaymentIntent for a double-submitted checkout (sequential and concurrent)', async () => {
    const browser = world.browser();
    const variantId = await world.variant({ stock: 10 });
    await addLine(browser, variantId, 1);
    const body = checkoutBody();
    const [a, b] = await Promise.all([
      browser.post('/api/checkout', body),
      browser.post('/api/checkout', body),
    ]);
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(b.status, JSON.stringify(b.body)).toBe(200);
    const again = await checkout(browser, body);
    const ids = new Set([a.body, b.body, again].map((r) => (r as { orderId: string }).orderId));
    const intents = new Set(
      [a.body, b.body, again].map(
        (r) => (r as { payment: { paymentIntentId: string } }).payment.paymentIntentId,
      ),
    );
    expect(ids.size).toBe(1);
    expect(intents.size).toBe(1);
    const [count] = await world.owner.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM orders WHERE checkout_key = $1`,
      [body.checkoutKey],
    );
    expect(Number(count?.n)).toBe(1);
    expect(await stockOf(world, variantId)).toBe(9);
  });

  it('refuses client-sent prices, totals, currencies and cart ids (400), and a guest without an email', async () => {
    const browser = world.browser();
    await addLine(browser, await world.variant());
    for (const extra of [
      { total: 1 },
      { amount: 1 },
      { currency: 'USD' },
      { cartId: '00000000-0000-4000-8000-000000000000' },
      { lines: [{ unitPrice: 1 }] },
    ]) {
      expectError(
        await browser.post('/api/checkout', { ...checkoutBody(), ...extra }),
        400,
        'VALIDATION_FAILED',
      );
    }
    expectError(
      await browser.post('/api/checkout', checkoutBody(checkoutKey(), null)),
      400,
      'VALIDATION_FAILED',
    );
    // Nothing was ordered: the cart still holds its line.
    expect((await browser.get('/api/cart')).body).toMatchObject({ itemCount: 1 });
  });

  it('needs the CSRF token with a session, and refuses an empty cart or a session without a cart', async () => {
    const browser = world.browser();
    await addLine(browser, await world.variant());
    expectError(
      await browser.post('/api/checkout', checkoutBody(), { withoutCsrf: true }),
      403,
      'CSRF_REJECTED',
    );
    const stranger = world.browser();
    expectError(await stranger.post('/api/checkout', checkoutBody()), 409, 'CHECKOUT_NOT_READY');
  });
});

describe('paying the order', () => {
  it('marks the order paid once, commits the stock and queues the confirmation, only on the verified payment', async () => {
    const browser = world.browser();
    const variantId = await world.variant({ stock: 4 });
    await addLine(browser, variantId, 1);
    const body = checkoutBody();
    const answer = await checkout(browser, body);
    // Coming back from the payment page changes nothing: only the payment event does.
    expect((await orderRow(world, answer.orderId)).status).toBe('pending_payment');

    const before = await confirmations();
    const paid = await pay(browser, answer.payment.paymentIntentId, answer.payment.clientSecret);
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect((await orderRow(world, answer.orderId)).status).toBe('paid');
    expect(await reservationsOf(world, answer.orderId)).toEqual([
      { status: 'committed', quantity: 1 },
    ]);
    expect(await stockOf(world, variantId)).toBe(3);
    expect(await confirmations()).toBe(before + 1);

    // Paying twice is impossible: the intent is settled, the order stays paid once.
    const twice = await pay(browser, answer.payment.paymentIntentId, answer.payment.clientSecret);
    expect(twice.status).not.toBe(200);
    expect(await confirmations()).toBe(before + 1);
    // The same checkout again is a conflict, not a second payment.
    expectError(await browser.post('/api/checkout', body), 409, 'ORDER_STATE_CONFLICT');
    const events = await world.owner.query<{ outcome: string }[]>(
      `SELECT outcome FROM payment_events WHERE payment_intent_id = $1`,
      [answer.payment.paymentIntentId],
    );
    expect(events.filter((e) => e.outcome === 'processed')).toHaveLength(1);
  });

  it('leaves a declined order pending (the customer may try another card), then pays it', async () => {
    const browser = world.browser();
    const variantId = await world.variant({ stock: 2 });
    await addLine(browser, variantId, 1);
    const answer = await checkout(browser, checkoutBody());
    const { paymentIntentId, clientSecret } = answer.payment;
    const declined = await pay(browser, paymentIntentId, clientSecret, 'pm_card_chargeDeclined');
    expect(declined.status).toBe(200);
    expect((await orderRow(world, answer.orderId)).status).toBe('pending_payment');
    expect(await reservationsOf(world, answer.orderId)).toEqual([{ status: 'held', quantity: 1 }]);
    expect((await pay(browser, paymentIntentId, clientSecret)).status).toBe(200);
    expect((await orderRow(world, answer.orderId)).status).toBe('paid');
  });

  it('refuses an intent whose amount differs from the order (recorded as a mismatch, order untouched)', async () => {
    const browser = world.browser();
    await addLine(browser, await world.variant({ price: 1000 }), 1);
    const answer = await checkout(browser, checkoutBody());
    // The order now expects one cent more than the intent carries.
    await world.owner.query(
      `UPDATE orders SET subtotal_amount = subtotal_amount + 1, total_amount = total_amount + 1 WHERE id = $1`,
      [answer.orderId],
    );
    await pay(browser, answer.payment.paymentIntentId, answer.payment.clientSecret);
    expect((await orderRow(world, answer.orderId)).status).toBe('pending_payment');
    const events = await world.owner.query<{ outcome: string; outcome_reason: string }[]>(
      `SELECT outcome, outcome_reason FROM payment_events WHERE payment_intent_id = $1`,
      [answer.payment.paymentIntentId],
    );
    expect(events).toEqual([{ outcome: 'mismatch', outcome_reason: 'amount_mismatch' }]);
  });

  it('records a payment for an unknown order as unhandled', async () => {
    const intent = await gateway.createIntent({
      orderId: '00000000-0000-4000-8000-00000000abcd',
      amount: 1000,
      currency: 'EUR',
      idempotencyKey: paymentIdempotencyKey(
        'create-intent',
        '00000000-0000-4000-8000-00000000abcd',
      ),
    });
    const browser = world.browser();
    await pay(browser, intent.id, intent.clientSecret?.reveal() ?? '');
    const events = await world.owner.query<{ outcome: string; outcome_reason: string }[]>(
      `SELECT outcome, outcome_reason FROM payment_events WHERE payment_intent_id = $1`,
      [intent.id],
    );
    expect(events).toEqual([{ outcome: 'unhandled', outcome_reason: 'unknown_order' }]);
  });

  it('sends a signed-in customer confirmation to the account, with no email in the order', async () => {
    const { browser } = await signedInCustomer(world);
    await addLine(browser, await world.variant(), 1);
    const answer = await checkout(browser, checkoutBody(checkoutKey(), null));
    const order = await orderRow(world, answer.orderId);
    expect(order.user_id).not.toBeNull();
    expect(order.guest_email_sealed).toBeNull();
    const before = await confirmations();
    await pay(browser, answer.payment.paymentIntentId, answer.payment.clientSecret);
    expect((await orderRow(world, answer.orderId)).status).toBe('paid');
    expect(await confirmations()).toBe(before + 1);
  });
});

describe('stock under concurrency and expiry', () => {
  it('sells exactly the units that exist when many checkouts race for them', async () => {
    const units = 3;
    const buyers = 10;
    const variantId = await world.variant({ stock: units });
    const browsers = await Promise.all(
      Array.from({ length: buyers }, async () => {
        const browser = world.browser();
        await addLine(browser, variantId, 1);
        return browser;
      }),
    );
    const answers = await Promise.all(
      browsers.map((browser) => browser.post('/api/checkout', checkoutBody())),
    );
    const ok = answers.filter((r) => r.status === 200);
    expect(ok).toHaveLength(units);
    for (const refused of answers.filter((r) => r.status !== 200)) {
      expectError(refused, 409, 'CART_ITEM_UNAVAILABLE');
    }
    expect(await stockOf(world, variantId)).toBe(0);
    const [held] = await world.owner.query<{ n: string }[]>(
      `SELECT coalesce(sum(quantity), 0) AS n FROM stock_reservations WHERE variant_id = $1`,
      [variantId],
    );
    expect(Number(held?.n)).toBe(units);
  });

  it('releases an expired reservation: intent cancelled, order cancelled, units and coupon use given back', async () => {
    const browser = world.browser();
    const variantId = await world.variant({ stock: 2 });
    await addLine(browser, variantId, 2);
    const coupon = await world.coupon({ maxRedemptions: 1 });
    expect((await browser.post('/api/cart/coupon', { code: coupon.code })).status).toBe(200);
    const answer = await checkout(browser, checkoutBody());
    expect(await stockOf(world, variantId)).toBe(0);
    const redemption = (await orderRow(world, answer.orderId)).coupon_redemption_id;
    expect(redemption).not.toBeNull();

    const sweeper = world.t.app.get(ReservationExpirySweeper);
    // Not expired yet: nothing happens.
    await sweeper.sweep();
    expect((await orderRow(world, answer.orderId)).status).toBe('pending_payment');

    await world.owner.query(
      `UPDATE orders SET reservation_expires_at = now() - interval '1 minute' WHERE id = $1`,
      [answer.orderId],
    );
    await sweeper.sweep();
    expect((await orderRow(world, answer.orderId)).status).toBe('cancelled');
    expect(await stockOf(world, variantId)).toBe(2);
    expect(await reservationsOf(world, answer.orderId)).toEqual([
      { status: 'released', quantity: 2 },
    ]);
    expect((await gateway.retrieveIntent(answer.payment.paymentIntentId)).status).toBe('canceled');
    const [released] = await world.owner.query<{ released_at: Date | null }[]>(
      `SELECT released_at FROM coupon_redemptions WHERE id = $1`,
      [redemption],
    );
    expect(released?.released_at).not.toBeNull();
    // A second pass gives nothing back twice.
    await sweeper.sweep();
    expect(await stockOf(world, variantId)).toBe(2);
    // The cancelled order can no longer be paid.
    const late = await pay(browser, answer.payment.paymentIntentId, answer.payment.clientSecret);
    expect(late.status).not.toBe(200);
    expect((await orderRow(world, answer.orderId)).status).toBe('cancelled');
  });

  it('refuses a checkout whose code expired or was used up after it was applied, instead of charging the full price', async () => {
    const variantId = await world.variant({ stock: 10 });
    const coupon = await world.coupon({ maxRedemptions: 1 });
    const browser = world.browser();
    await addLine(browser, variantId, 1);
    expect((await browser.post('/api/cart/coupon', { code: coupon.code })).status).toBe(200);
    await world.owner.query(`UPDATE coupons SET redemption_count = max_redemptions WHERE id = $1`, [
      coupon.id,
    ]);
    const refused = await browser.post('/api/checkout', checkoutBody());
    expectError(refused, 422, 'COUPON_NOT_APPLICABLE');
    expect(await stockOf(world, variantId)).toBe(10);
    // The cart says why, and checking out works once the code is removed.
    expect((await browser.get('/api/cart')).body).toMatchObject({
      coupon: { status: 'not-applicable' },
    });
    expect((await browser.delete('/api/cart/coupon')).status).toBe(200);
    expect((await browser.post('/api/checkout', checkoutBody())).status).toBe(200);
  });

  it('rolls the whole checkout back when the coupon is used up meanwhile: no half-written order, stock intact', async () => {
    const variantId = await world.variant({ stock: 10 });
    const coupon = await world.coupon({ maxRedemptions: 1 });
    const browsers = await Promise.all(
      [1, 2, 3].map(async () => {
        const browser = world.browser();
        await addLine(browser, variantId, 1);
        const applied = await browser.post('/api/cart/coupon', { code: coupon.code });
        expect(applied.status, JSON.stringify(applied.body)).toBe(200);
        return browser;
      }),
    );
    // Another checkout holds the coupon row: ours price it as applied, reserve the stock, write
    // the order, then wait at the redemption until the other one has used the coupon up.
    const other = new pg.Client({ connectionString: world.databaseUrl });
    await other.connect();
    await other.query('BEGIN');
    await other.query(`SELECT id FROM coupons WHERE id = $1 FOR UPDATE`, [coupon.id]);
    const pending = Promise.all(
      browsers.map((browser) => browser.post('/api/checkout', checkoutBody())),
    );
    for (let i = 0; i < 200; i += 1) {
      const [waiting] = await world.owner.query<{ n: string }[]>(
        `SELECT count(*) AS n FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      if (Number(waiting?.n) >= browsers.length) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await other.query(`UPDATE coupons SET redemption_count = max_redemptions WHERE id = $1`, [
      coupon.id,
    ]);
    await other.query('COMMIT');
    await other.end();

    for (const refused of await pending) expectError(refused, 422, 'COUPON_NOT_APPLICABLE');
    expect(await stockOf(world, variantId)).toBe(10);
    const [lines] = await world.owner.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM order_lines WHERE variant_id = $1`,
      [variantId],
    );
    expect(Number(lines?.n)).toBe(0);
    const [held] = await world.owner.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM stock_reservations WHERE variant_id = $1`,
      [variantId],
    );
    expect(Number(held?.n)).toBe(0);
    // The carts are intact: the shoppers can try again.
    expect((await browsers[0]?.get('/api/cart'))?.body).toMatchObject({ itemCount: 1 });
  });
});
