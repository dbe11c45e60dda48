import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestCartPurger } from '../../src/cart/guest-cart-purger';
import { signedInCustomer } from '../identity/identity-fixture';
import { startCartWorld, type CartWorld } from './cart-fixture';

let world: CartWorld;

beforeAll(async () => {
  world = await startCartWorld();
});

afterAll(async () => {
  await world.close();
});

/** The id of the cart a browser's session holds (after adding a line). */
async function cartIdOf(browser: ReturnType<CartWorld['browser']>, variantId: string) {
  const added = await browser.post('/api/cart/lines', { variantId, quantity: 1 });
  expect(added.status, JSON.stringify(added.body)).toBe(200);
  const [row] = await world.owner.query<{ cart_id: string }[]>(
    `SELECT cart_id FROM cart_lines WHERE variant_id = $1 ORDER BY created_at DESC LIMIT 1`,
    [variantId],
  );
  return row!.cart_id;
}

const age = (cartId: string, days: number) =>
  world.owner.query(
    `UPDATE carts SET updated_at = now() - make_interval(days => $2) WHERE id = $1`,
    [cartId, days],
  );

const exists = async (cartId: string) =>
  (await world.owner.query<unknown[]>(`SELECT 1 FROM carts WHERE id = $1`, [cartId])).length === 1;

describe('abandoned guest carts (storage limitation)', () => {
  it('deletes guest carts untouched for the retention period, with their lines; keeps recent and customer carts', async () => {
    const variantId = await world.variant({ stock: 5 });
    const abandoned = await cartIdOf(world.browser(), variantId);
    const recent = await cartIdOf(world.browser(), variantId);
    const customer = await signedInCustomer(world);
    const customerCart = await cartIdOf(customer.browser, variantId);
    await age(abandoned, 31);
    await age(recent, 29);
    await age(customerCart, 400);

    const purged = await world.t.app.get(GuestCartPurger).purge();

    expect(purged).toBe(1);
    expect(await exists(abandoned)).toBe(false);
    expect(await exists(recent)).toBe(true);
    expect(await exists(customerCart)).toBe(true);
    const [lines] = await world.owner.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM cart_lines WHERE cart_id = $1`,
      [abandoned],
    );
    expect(Number(lines?.n)).toBe(0);
  });
});
