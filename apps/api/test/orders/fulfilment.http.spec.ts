import { ErrorBodySchema, OrderStatusViewSchema } from '@storefront/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CartWorld } from '../cart/cart-fixture';
import { signedInCustomer, signedInStaff } from '../identity/identity-fixture';
import type { Browser } from '../support/browser';
import { addLine, checkout, checkoutBody, orderRow, startOrdersWorld } from './orders-fixture';

let world: CartWorld;
let manager: Browser;

beforeAll(async () => {
  world = await startOrdersWorld();
  manager = (await signedInStaff(world, ['order-manager'])).browser;
});
afterAll(async () => {
  await world.close();
});

function expectError(response: { status: number; body: unknown }, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(ErrorBodySchema.parse(response.body).error.code).toBe(code);
}

/** A pending order; paid through the development provider when `pay` is true. */
async function order(pay: boolean): Promise<string> {
  const browser = world.browser();
  await addLine(browser, await world.variant(), 1);
  const answer = await checkout(browser, checkoutBody());
  if (pay) {
    const paid = await browser.post(
      `/api/payments/development/intents/${answer.payment.paymentIntentId}/confirm`,
      { clientSecret: answer.payment.clientSecret, paymentMethod: 'pm_card_visa' },
    );
    expect(paid.status).toBe(200);
  }
  return answer.orderId;
}

const move = (browser: Browser, orderId: string, status: string) =>
  browser.post(`/api/admin/orders/${orderId}/status`, { status });

describe('fulfilment by staff', () => {
  it('moves a paid order through fulfilled, shipped, delivered, auditing each move', async () => {
    const orderId = await order(true);
    for (const status of ['fulfilled', 'shipped', 'delivered']) {
      const moved = await move(manager, orderId, status);
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
      expect(OrderStatusViewSchema.parse(moved.body)).toEqual({ id: orderId, status });
    }
    const audited = await world.owner.query<{ details: unknown }[]>(
      `SELECT details FROM audit_log WHERE action = 'order.status.changed' AND target_id = $1 ORDER BY seq`,
      [orderId],
    );
    expect(audited.map((r) => r.details)).toEqual([
      { from: 'paid', to: 'fulfilled' },
      { from: 'fulfilled', to: 'shipped' },
      { from: 'shipped', to: 'delivered' },
    ]);
  });

  it('refuses to ship or fulfil an unpaid order (409, unchanged), and to skip or go back a step', async () => {
    const unpaid = await order(false);
    expectError(await move(manager, unpaid, 'shipped'), 409, 'ORDER_STATE_CONFLICT');
    expectError(await move(manager, unpaid, 'fulfilled'), 409, 'ORDER_STATE_CONFLICT');
    expect((await orderRow(world, unpaid)).status).toBe('pending_payment');

    const paid = await order(true);
    expectError(await move(manager, paid, 'delivered'), 409, 'ORDER_STATE_CONFLICT');
    expect((await move(manager, paid, 'fulfilled')).status).toBe(200);
    expectError(await move(manager, paid, 'fulfilled'), 409, 'ORDER_STATE_CONFLICT');
    expectError(await move(manager, paid, 'paid'), 400, 'VALIDATION_FAILED');
    expect((await orderRow(world, paid)).status).toBe('fulfilled');
  });

  it('needs orders:write', async () => {
    const paid = await order(true);
    const support = await signedInStaff(world, ['support']);
    expectError(await move(support.browser, paid, 'fulfilled'), 403, 'FORBIDDEN');
    const customer = await signedInCustomer(world);
    expectError(await move(customer.browser, paid, 'fulfilled'), 403, 'FORBIDDEN');
    expect((await orderRow(world, paid)).status).toBe('paid');
  });
});
