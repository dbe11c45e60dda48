import { randomBytes } from 'node:crypto';
import { CartSchema, CheckoutResponseSchema, type CheckoutResponse } from '@storefront/contracts';
import { expect } from 'vitest';
import { startCartWorld, type CartWorld } from '../cart/cart-fixture';
import type { Browser } from '../support/browser';

/** The cart world with the orders module (until the application module imports it). */
export function startOrdersWorld(env: Record<string, string> = {}): Promise<CartWorld> {
  return startCartWorld({ ORDER_SWEEP_INTERVAL_MS: '3600000', ...env });
}

/** A fresh client-generated checkout key. */
export function checkoutKey(): string {
  return randomBytes(16).toString('base64url');
}

/** A shipping address as a customer types it. */
export const ADDRESS = {
  fullName: 'Ada Lovelace',
  line1: '12 rue des Tests',
  postalCode: '75011',
  city: 'Paris',
  country: 'FR',
} as const;

/** A checkout body (guest email included unless `email` is null). */
export function checkoutBody(
  key = checkoutKey(),
  email: string | null = `guest-${randomBytes(4).toString('hex')}@example.com`,
) {
  return {
    checkoutKey: key,
    shippingAddress: ADDRESS,
    shippingMethod: 'standard',
    ...(email === null ? {} : { email }),
  };
}

/** Adds `quantity` of the variant to the browser's cart. */
export async function addLine(browser: Browser, variantId: string, quantity = 1): Promise<number> {
  const added = await browser.post('/api/cart/lines', { variantId, quantity });
  expect(added.status, JSON.stringify(added.body)).toBe(200);
  return CartSchema.parse(added.body).total.amount;
}

/** Checks out successfully; returns the contract-checked answer. */
export async function checkout(browser: Browser, body: object): Promise<CheckoutResponse> {
  const response = await browser.post('/api/checkout', body);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return CheckoutResponseSchema.parse(response.body);
}

/** An order row as stored (owner's view). */
export interface OrderRow {
  id: string;
  status: string;
  total_amount: number;
  subtotal_amount: number;
  payment_intent_id: string | null;
  shipping_address_sealed: string;
  guest_email_sealed: string | null;
  guest_email_index: string | null;
  user_id: string | null;
  coupon_redemption_id: string | null;
}

/** Reads an order row. */
export async function orderRow(world: CartWorld, id: string): Promise<OrderRow> {
  const [row] = await world.owner.query<OrderRow[]>(`SELECT * FROM orders WHERE id = $1`, [id]);
  if (!row) throw new Error(`no order ${id}`);
  return row;
}

/** The variant's stock. */
export async function stockOf(world: CartWorld, variantId: string): Promise<number> {
  const [row] = await world.owner.query<{ stock: number }[]>(
    `SELECT stock FROM product_variant WHERE id = $1`,
    [variantId],
  );
  return row?.stock ?? -1;
}

/** The order's reservations (status, quantity). */
export async function reservationsOf(
  world: CartWorld,
  orderId: string,
): Promise<{ status: string; quantity: number }[]> {
  return world.owner.query(
    `SELECT status, quantity FROM stock_reservations WHERE order_id = $1 ORDER BY variant_id`,
    [orderId],
  );
}
