import { ErrorBodySchema, RefundSchema } from '@storefront/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYMENT_GATEWAY, type PaymentGateway } from '../../src/payments/payment-gateway';
import type { CartWorld } from '../cart/cart-fixture';
import { signedInStaff } from '../identity/identity-fixture';
import type { Browser } from '../support/browser';
import {
  addLine,
  checkout,
  checkoutBody,
  checkoutKey,
  orderRow,
  startOrdersWorld,
} from './orders-fixture';

let world: CartWorld;
let manager: Browser;
let gateway: PaymentGateway;

beforeAll(async () => {
  world = await startOrdersWorld();
  gateway = world.t.app.get<PaymentGateway>(PAYMENT_GATEWAY);
  manager = (await signedInStaff(world, ['order-manager'])).browser;
});
afterAll(async () => {
  await world.close();
});

function expectError(response: { status: number; body: unknown }, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(ErrorBodySchema.parse(response.body).error.code).toBe(code);
}

/** A paid order of 24.90 € (20.00 + 4.90 shipping). */
async function paidOrder(): Promise<{ orderId: string; intentId: string }> {
  const browser = world.browser();
  await addLine(browser, await world.variant({ price: 2000 }), 1);
  const answer = await checkout(browser, checkoutBody());
  const paid = await browser.post(
    `/api/payments/development/intents/${answer.payment.paymentIntentId}/confirm`,
    { clientSecret: answer.payment.clientSecret, paymentMethod: 'pm_card_visa' },
  );
  expect(paid.status).toBe(200);
  expect((await orderRow(world, answer.orderId)).status).toBe('paid');
  return { orderId: answer.orderId, intentId: answer.payment.paymentIntentId };
}

const refund = (browser: Browser, orderId: string, amount: number, refundKey = checkoutKey()) =>
  browser.post(`/api/admin/orders/${orderId}/refunds`, { amount, refundKey });

async function auditedRefunds(orderId: string): Promise<unknown[]> {
  const rows = await world.owner.query<{ details: unknown }[]>(
    `SELECT details FROM audit_log WHERE action = 'order.refunded' AND target_id = $1 ORDER BY seq`,
    [orderId],
  );
  return rows.map((r) => r.details);
}

describe('refunds by staff', () => {
  it('needs orders:refund', async () => {
    const { orderId } = await paidOrder();
    const support = await signedInStaff(world, ['support']);
    expectError(await refund(support.browser, orderId, 100), 403, 'FORBIDDEN');
    expect((await orderRow(world, orderId)).status).toBe('paid');
  });

  it('refunds part, then the rest, never more than was captured, and audits each', async () => {
    const { orderId, intentId } = await paidOrder();
    const first = await refund(manager, orderId, 1000);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(RefundSchema.parse(first.body)).toMatchObject({
      amount: 1000,
      status: 'succeeded',
      orderStatus: 'partially_refunded',
    });
    expectError(await refund(manager, orderId, 1491), 409, 'REFUND_NOT_ALLOWED');
    const rest = await refund(manager, orderId, 1490);
    expect(RefundSchema.parse(rest.body)).toMatchObject({ orderStatus: 'refunded' });
    expect((await orderRow(world, orderId)).status).toBe('refunded');
    expectError(await refund(manager, orderId, 1), 409, 'REFUND_NOT_ALLOWED');
    expect(await auditedRefunds(orderId)).toEqual([
      { amount: 1000, currency: 'EUR', full: false },
      { amount: 1490, currency: 'EUR', full: true },
    ]);
    expect((await gateway.retrieveIntent(intentId)).amountReceived).toBe(2490);
  });

  it('makes one refund of a double submit, and lets concurrent refunds pass no more than remains', async () => {
    const { orderId } = await paidOrder();
    const key = checkoutKey();
    const twice = await Promise.all([
      refund(manager, orderId, 500, key),
      refund(manager, orderId, 500, key),
    ]);
    const ids = new Set(twice.map((r) => RefundSchema.parse(r.body).id));
    expect(ids.size).toBe(1);
    // 1990 remain: of three concurrent refunds of 1000, at most one more can pass.
    const racing = await Promise.all([1, 2, 3].map(() => refund(manager, orderId, 1000)));
    expect(racing.filter((r) => r.status === 200)).toHaveLength(1);
    for (const refused of racing.filter((r) => r.status !== 200)) {
      expectError(refused, 409, 'REFUND_NOT_ALLOWED');
    }
    const [sum] = await world.owner.query<{ n: number }[]>(
      `SELECT coalesce(sum(amount), 0)::int AS n FROM order_refunds WHERE order_id = $1 AND status = 'succeeded'`,
      [orderId],
    );
    expect(sum?.n).toBe(1500);
  });

  it('refuses to refund an unpaid order, and answers 404 for an unknown one', async () => {
    const browser = world.browser();
    await addLine(browser, await world.variant(), 1);
    const answer = await checkout(browser, checkoutBody());
    expectError(await refund(manager, answer.orderId, 100), 409, 'REFUND_NOT_ALLOWED');
    expectError(
      await refund(manager, '00000000-0000-4000-8000-000000000001', 100),
      404,
      'NOT_FOUND',
    );
    expectError(await refund(manager, answer.orderId, 0), 400, 'VALIDATION_FAILED');
  });
});
