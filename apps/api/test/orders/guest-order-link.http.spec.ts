import { ErrorBodySchema, OrderSchema } from '@storefront/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paramsContext } from '../../src/mail/mail-outbox.repository';
import { FIELD_CIPHER, type FieldCipher } from '../../src/privacy/encryption/field-cipher';
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

/** Checks out and pays; returns the order id and the confirmation's parameters (opened). */
async function paidWithConfirmation(
  browser: Browser,
  body: object,
): Promise<{ orderId: string; params: Record<string, unknown> }> {
  const answer = await checkout(browser, body);
  const paid = await browser.post(
    `/api/payments/development/intents/${answer.payment.paymentIntentId}/confirm`,
    { clientSecret: answer.payment.clientSecret, paymentMethod: 'pm_card_visa' },
  );
  expect(paid.status).toBe(200);
  const rows = await world.owner.query<{ id: string; params_sealed: string }[]>(
    `SELECT id, params_sealed FROM mail_outbox WHERE template = 'order-confirmation'
      ORDER BY created_at DESC LIMIT 1`,
  );
  const row = rows[0];
  if (!row) throw new Error('no confirmation');
  const cipher = world.t.app.get<FieldCipher>(FIELD_CIPHER);
  const params = JSON.parse(
    await cipher.decrypt(row.params_sealed, paramsContext(row.id)),
  ) as Record<string, unknown>;
  expect(params['orderNumber']).toBe(answer.orderNumber);
  return { orderId: answer.orderId, params };
}

describe('a guest’s order link', () => {
  it('opens the order with the emailed token only; an altered or expired token is 404', async () => {
    const browser = world.browser();
    await addLine(browser, await world.variant(), 1);
    const { orderId, params } = await paidWithConfirmation(browser, checkoutBody());
    const token = params['guestToken'];
    expect(typeof token).toBe('string');
    // Only the digest is stored.
    const [stored] = await world.owner.query<{ hex: string }[]>(
      `SELECT encode(guest_access_hash, 'hex') AS hex FROM orders WHERE id = $1`,
      [orderId],
    );
    expect(stored?.hex).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(String(token));

    const stranger = world.browser();
    const opened = await stranger.post('/api/orders/guest-access', { token });
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    expect(OrderSchema.parse(opened.body)).toMatchObject({
      id: orderId,
      status: 'paid',
      shippingAddress: { city: ADDRESS.city },
    });

    const altered = `${String(token).slice(0, -1)}${String(token).endsWith('A') ? 'B' : 'A'}`;
    expectError(
      await stranger.post('/api/orders/guest-access', { token: altered }),
      404,
      'NOT_FOUND',
    );
    expectError(
      await stranger.post('/api/orders/guest-access', { token: 'short' }),
      400,
      'VALIDATION_FAILED',
    );

    await world.owner.query(
      `UPDATE orders SET guest_access_expires_at = now() - interval '1 second' WHERE id = $1`,
      [orderId],
    );
    expectError(await stranger.post('/api/orders/guest-access', { token }), 404, 'NOT_FOUND');
  });

  it('is not made for a customer’s order (the account shows it)', async () => {
    const { browser } = await signedInCustomer(world);
    await addLine(browser, await world.variant(), 1);
    const { orderId, params } = await paidWithConfirmation(
      browser,
      checkoutBody(checkoutKey(), null),
    );
    expect(params['guestToken']).toBeUndefined();
    const [row] = await world.owner.query<{ guest_access_hash: Buffer | null }[]>(
      `SELECT guest_access_hash FROM orders WHERE id = $1`,
      [orderId],
    );
    expect(row?.guest_access_hash).toBeNull();
  });
});
