import { CheckoutOrderSchema, ErrorBodySchema } from '@storefront/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CartWorld } from '../cart/cart-fixture';
import { signedInCustomer } from '../identity/identity-fixture';
import type { Browser } from '../support/browser';
import {
  ADDRESS,
  addLine,
  checkout,
  checkoutBody,
  checkoutKey,
  startOrdersWorld,
} from './orders-fixture';

let world: CartWorld;

beforeAll(async () => {
  world = await startOrdersWorld();
});
afterAll(async () => {
  await world.close();
});

function expectError(response: { status: number; body: unknown }, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(ErrorBodySchema.parse(response.body).error.code).toBe(code);
}

async function placedOrder(browser: Browser, orderId: string) {
  const response = await browser.get(`/api/checkout/orders/${orderId}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(response.headers['cache-control']).toBe('no-store');
  return CheckoutOrderSchema.parse(response.body);
}

describe('GET /api/checkout/orders/:id (payment and confirmation pages)', () => {
  it('shows a guest the order of their session with its payment, then paid without one', async () => {
    const guest = world.browser();
    await addLine(guest, await world.variant(), 1);
    const placed = await checkout(guest, checkoutBody());

    const pending = await placedOrder(guest, placed.orderId);
    expect(pending.order).toMatchObject({
      id: placed.orderId,
      number: placed.orderNumber,
      status: 'pending_payment',
      shippingAddress: { city: ADDRESS.city },
    });
    expect(pending.paymentStatus).toBe('requires_payment_method');
    expect(pending.payment).toEqual(placed.payment);

    // 3-D Secure asked: still payable (the page shows the authentication step).
    const challenged = await guest.post(
      `/api/payments/development/intents/${placed.payment.paymentIntentId}/confirm`,
      {
        clientSecret: placed.payment.clientSecret,
        paymentMethod: 'pm_card_authenticationRequired',
      },
    );
    expect(challenged.status).toBe(200);
    const authenticating = await placedOrder(guest, placed.orderId);
    expect(authenticating.paymentStatus).toBe('requires_action');
    expect(authenticating.payment?.clientSecret).toBe(placed.payment.clientSecret);

    const approved = await guest.post(
      `/api/payments/development/intents/${placed.payment.paymentIntentId}/authenticate`,
      { clientSecret: placed.payment.clientSecret, outcome: 'approve' },
    );
    expect(approved.status).toBe(200);
    const paid = await placedOrder(guest, placed.orderId);
    expect(paid.order.status).toBe('paid');
    expect(paid.payment).toBeNull();
    expect(paid.paymentStatus).toBeNull();
  });

  it('is 404 for anyone else: another guest (with an order of their own), no session, a customer', async () => {
    const guest = world.browser();
    await addLine(guest, await world.variant(), 1);
    const placed = await checkout(guest, checkoutBody());

    const otherGuest = world.browser();
    await addLine(otherGuest, await world.variant(), 1);
    const theirs = await checkout(otherGuest, checkoutBody());
    expect((await placedOrder(otherGuest, theirs.orderId)).order.id).toBe(theirs.orderId);
    expectError(await otherGuest.get(`/api/checkout/orders/${placed.orderId}`), 404, 'NOT_FOUND');
    expectError(
      await world.browser().get(`/api/checkout/orders/${placed.orderId}`),
      404,
      'NOT_FOUND',
    );
    const { browser: customer } = await signedInCustomer(world);
    expectError(await customer.get(`/api/checkout/orders/${placed.orderId}`), 404, 'NOT_FOUND');
    expectError(await guest.get('/api/checkout/orders/not-a-uuid'), 400, 'VALIDATION_FAILED');
  });

  it("shows a customer their own order, and another customer's is 404", async () => {
    const { browser: customer } = await signedInCustomer(world);
    await addLine(customer, await world.variant(), 1);
    const placed = await checkout(customer, checkoutBody(checkoutKey(), null));
    expect((await placedOrder(customer, placed.orderId)).order.id).toBe(placed.orderId);

    const { browser: other } = await signedInCustomer(world);
    expectError(await other.get(`/api/checkout/orders/${placed.orderId}`), 404, 'NOT_FOUND');
  });
});
