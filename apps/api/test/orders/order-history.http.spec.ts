import { ErrorBodySchema, OrderListSchema, OrderSchema } from '@storefront/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CartWorld } from '../cart/cart-fixture';
import { signedInCustomer, signedInStaff } from '../identity/identity-fixture';
import {
  ADDRESS,
  addLine,
  checkout,
  checkoutBody,
  checkoutKey,
  orderRow,
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

describe('a customer’s order history', () => {
  it('lists and shows the caller’s own orders; another customer’s order is 404 and nothing changes', async () => {
    const ada = await signedInCustomer(world);
    await addLine(ada.browser, await world.variant({ price: 1200 }), 2);
    const mine = await checkout(ada.browser, checkoutBody(checkoutKey(), null));

    const list = await ada.browser.get('/api/account/orders');
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(OrderListSchema.parse(list.body).orders).toEqual([
      expect.objectContaining({
        id: mine.orderId,
        number: mine.orderNumber,
        status: 'pending_payment',
        total: 2890,
        itemCount: 2,
      }),
    ]);
    const shown = await ada.browser.get(`/api/account/orders/${mine.orderId}`);
    expect(shown.status, JSON.stringify(shown.body)).toBe(200);
    const order = OrderSchema.parse(shown.body);
    expect(order).toMatchObject({ total: 2890, subtotal: 2400, shipping: 490 });
    expect(order.shippingAddress).toMatchObject({ city: ADDRESS.city, line1: ADDRESS.line1 });
    expect(order.lines).toEqual([expect.objectContaining({ quantity: 2, unitPrice: 1200 })]);

    const bob = await signedInCustomer(world);
    expectError(await bob.browser.get(`/api/account/orders/${mine.orderId}`), 404, 'NOT_FOUND');
    expect(
      OrderListSchema.parse((await bob.browser.get('/api/account/orders')).body).orders,
    ).toEqual([]);
    expect((await orderRow(world, mine.orderId)).status).toBe('pending_payment');
  });

  it('is closed to guests (401) and keeps guest orders out of every account', async () => {
    const guest = world.browser();
    await addLine(guest, await world.variant(), 1);
    const answer = await checkout(guest, checkoutBody());
    expectError(await guest.get('/api/account/orders'), 401, 'UNAUTHENTICATED');
    const carol = await signedInCustomer(world);
    expectError(await carol.browser.get(`/api/account/orders/${answer.orderId}`), 404, 'NOT_FOUND');
  });
});

describe('staff order list', () => {
  it('needs orders:read, and lists summaries without personal data, the detail with the address', async () => {
    const guest = world.browser();
    await addLine(guest, await world.variant(), 1);
    const answer = await checkout(guest, checkoutBody());

    const editor = await signedInStaff(world, ['catalogue-editor']);
    expectError(await editor.browser.get('/api/admin/orders'), 403, 'FORBIDDEN');
    const customer = await signedInCustomer(world);
    expectError(await customer.browser.get('/api/admin/orders'), 403, 'FORBIDDEN');

    const support = await signedInStaff(world, ['support']);
    const list = await support.browser.get('/api/admin/orders?status=pending_payment&limit=100');
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    const orders = OrderListSchema.parse(list.body).orders;
    expect(orders.map((o) => o.id)).toContain(answer.orderId);
    expect(orders.every((o) => o.status === 'pending_payment')).toBe(true);
    expect(JSON.stringify(list.body)).not.toContain(ADDRESS.city);
    expectError(await support.browser.get('/api/admin/orders?limit=0'), 400, 'VALIDATION_FAILED');
    // The detail, with the address to ship to, for orders:read only.
    const detail = await support.browser.get(`/api/admin/orders/${answer.orderId}`);
    expect(detail.status, JSON.stringify(detail.body)).toBe(200);
    expect(OrderSchema.parse(detail.body).shippingAddress.city).toBe(ADDRESS.city);
    expectError(await editor.browser.get(`/api/admin/orders/${answer.orderId}`), 403, 'FORBIDDEN');
    expectError(
      await customer.browser.get(`/api/admin/orders/${answer.orderId}`),
      403,
      'FORBIDDEN',
    );
    expectError(
      await support.browser.get('/api/admin/orders/00000000-0000-4000-8000-000000000002'),
      404,
      'NOT_FOUND',
    );
  });
});
