import fc from 'fast-check';
import { CartSchema, type Cart } from '@storefront/contracts';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST_CART_SESSION_KEY } from '../../src/cart/cart.service';
import { CartsRepository } from '../../src/cart/carts.repository';
import { SessionService } from '../../src/session/session.service';
import { signedInCustomer, totpCode } from '../identity/identity-fixture';
import { PASSWORDLESS, assertWithPasskey, enrolPasskey } from '../identity/passkeys-fixture';
import type { Browser } from '../support/browser';
import { SoftwareAuthenticator } from '../support/software-authenticator';
import { startCartWorld, type CartWorld } from './cart-fixture';

let world: CartWorld;

beforeAll(async () => {
  world = await startCartWorld({ CART_MAX_QUANTITY: '10' });
});
afterAll(async () => {
  await world.close();
});

async function cartOf(browser: Browser): Promise<Cart> {
  const response = await browser.get('/api/cart');
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return CartSchema.parse(response.body);
}

async function add(browser: Browser, variantId: string, quantity: number): Promise<void> {
  const response = await browser.post('/api/cart/lines', { variantId, quantity });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
}

/** Variant id → quantity of a cart. */
function quantities(cart: Cart): Record<string, number> {
  return Object.fromEntries(cart.lines.map((l) => [l.variantId, l.quantity]));
}

async function guestCartsCount(): Promise<number> {
  const [row] = await world.owner.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM carts WHERE user_id IS NULL`,
  );
  return row?.n ?? 0;
}

async function sessionData(browser: Browser): Promise<Record<string, string>> {
  const session = await world.t.app.get(SessionService).load(browser.sid);
  return session?.record.data ?? {};
}

/** The id of the guest cart this browser's session holds. */
async function guestCartIdOf(browser: Browser): Promise<string> {
  const id = (await sessionData(browser))[GUEST_CART_SESSION_KEY];
  expect(id).toBeDefined();
  return id ?? '';
}

/**
 * Checked right after the sign-in, before any cart request (which would also merge, lazily):
 * the guest cart is gone from the database and from the session.
 */
async function expectMergedBySignIn(browser: Browser, guestCartId: string): Promise<void> {
  const rows = await world.owner.query<unknown[]>(`SELECT 1 FROM carts WHERE id = $1`, [
    guestCartId,
  ]);
  expect(rows).toHaveLength(0);
  expect(await sessionData(browser)).not.toHaveProperty(GUEST_CART_SESSION_KEY);
}

describe('the guest cart merges into the customer’s at sign-in', () => {
  it('with a password: quantities add up (capped), nothing lost or duplicated, guest cart gone', async () => {
    const customer = await signedInCustomer(world);
    const [a, b, c] = [await world.variant(), await world.variant(), await world.variant()];
    await add(customer.browser, b, 9);
    await add(customer.browser, c, 1);
    const coupon = await world.coupon();
    expect((await customer.browser.post('/api/auth/logout')).status).toBe(204);

    const guest = world.browser();
    await add(guest, a, 2);
    await add(guest, b, 3);
    expect((await guest.post('/api/cart/coupon', { code: coupon.code })).status).toBe(200);
    const guestCartId = await guestCartIdOf(guest);
    const guestCarts = await guestCartsCount();

    const login = await guest.post('/api/auth/login', {
      email: customer.email,
      password: customer.password,
    });
    expect(login.status).toBe(200);
    await expectMergedBySignIn(guest, guestCartId);
    expect(await guestCartsCount()).toBe(guestCarts - 1);
    const merged = await cartOf(guest);
    expect(quantities(merged)).toEqual({ [a]: 2, [b]: 10, [c]: 1 });
    expect(merged.lines).toHaveLength(3);
    // The customer had no coupon: the guest's comes along.
    expect(merged.coupon?.status).toBe('applied');
    // The account's cart, as every device sees it.
    const phone = world.browser();
    await phone.post('/api/auth/login', { email: customer.email, password: customer.password });
    expect(quantities(await cartOf(phone))).toEqual({ [a]: 2, [b]: 10, [c]: 1 });
  });

  it('after a second factor, not before: a half-signed-in session still shops as a guest', async () => {
    const customer = await signedInCustomer(world);
    const enrol = await customer.browser.post('/api/account/mfa/totp');
    const secret = enrol.body.secret as string;
    expect(
      (await customer.browser.post('/api/account/mfa/totp/confirm', { code: totpCode(secret) }))
        .status,
    ).toBe(200);
    const owned = await world.variant();
    await add(customer.browser, owned, 1);

    const guest = world.browser();
    const picked = await world.variant();
    await add(guest, picked, 4);
    const guestCartId = await guestCartIdOf(guest);
    const login = await guest.post('/api/auth/login', {
      email: customer.email,
      password: customer.password,
    });
    expect(login.body.status).toBe('mfa-required');
    // Password alone: still the guest cart; the account's cart is not exposed.
    expect(quantities(await cartOf(guest))).toEqual({ [picked]: 4 });
    expect(
      (await guest.post('/api/auth/mfa', { method: 'totp', code: totpCode(secret, 1) })).status,
    ).toBe(200);
    await expectMergedBySignIn(guest, guestCartId);
    expect(quantities(await cartOf(guest))).toEqual({ [owned]: 1, [picked]: 4 });
  });

  it('with a passkey (passwordless)', async () => {
    const customer = await signedInCustomer(world);
    const authenticator = new SoftwareAuthenticator();
    await enrolPasskey(customer.browser, authenticator);
    const owned = await world.variant();
    await add(customer.browser, owned, 2);

    const guest = world.browser();
    await add(guest, owned, 3);
    const guestCartId = await guestCartIdOf(guest);
    const { response } = await assertWithPasskey(guest, authenticator, PASSWORDLESS);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    await expectMergedBySignIn(guest, guestCartId);
    expect(quantities(await cartOf(guest))).toEqual({ [owned]: 5 });
  });

  it('never carries another account’s cart: signing in as someone else on the same browser', async () => {
    const alice = await signedInCustomer(world);
    const bob = await signedInCustomer(world);
    const aliceItem = await world.variant();
    await add(alice.browser, aliceItem, 2);
    const login = await alice.browser.post('/api/auth/login', {
      email: bob.email,
      password: bob.password,
    });
    expect(login.status).toBe(200);
    expect((await cartOf(alice.browser)).lines).toEqual([]);
    // Alice's cart is still hers.
    const again = world.browser();
    await again.post('/api/auth/login', { email: alice.email, password: alice.password });
    expect(quantities(await cartOf(again))).toEqual({ [aliceItem]: 2 });
  });

  it('catches up on the next cart request if the merge at sign-in could not run', async () => {
    const customer = await signedInCustomer(world);
    const guest = world.browser();
    const item = await world.variant();
    await add(guest, item, 3);
    const guestSession = await world.t.app.get(SessionService).load(guest.sid);
    const guestCartId = guestSession?.record.data[GUEST_CART_SESSION_KEY] ?? '';
    // As if the sign-in's merge had failed: the signed-in session still holds the guest cart id.
    const sessions = world.t.app.get(SessionService);
    const signedIn = await sessions.load(customer.browser.sid);
    if (!signedIn) throw new Error('no session');
    signedIn.record.data[GUEST_CART_SESSION_KEY] = guestCartId;
    await sessions.save(signedIn);

    expect(quantities(await cartOf(customer.browser))).toEqual({ [item]: 3 });
    expect(await sessionData(customer.browser)).not.toHaveProperty(GUEST_CART_SESSION_KEY);
    // Merged once: the guest's own session no longer finds its cart.
    expect((await cartOf(guest)).lines).toEqual([]);
    expect(quantities(await cartOf(customer.browser))).toEqual({ [item]: 3 });
  });
});

describe('merging carts (property, on PostgreSQL)', () => {
  it('never loses or duplicates a line: every variant of either cart once, quantities summed and capped', async () => {
    const max = 10;
    const customer = await signedInCustomer(world);
    const userId = ((await customer.browser.get('/api/account/profile')).body as { id: string }).id;
    const pool = await Promise.all(Array.from({ length: 6 }, () => world.variant()));
    const carts = world.t.app.get(CartsRepository);
    const db = world.t.app.get(DataSource);
    const cartLines = fc.dictionary(fc.constantFrom(...pool), fc.integer({ min: 1, max }), {
      maxKeys: pool.length,
    });

    await fc.assert(
      fc.asyncProperty(cartLines, cartLines, async (mine, theirs) => {
        await db.query(`DELETE FROM carts WHERE user_id = $1`, [userId]);
        const target = await carts.ensureCustomerCart(userId);
        const guestId = await carts.createGuestCart();
        await db.transaction(async (m) => {
          for (const [variantId, quantity] of Object.entries(mine)) {
            await carts.upsertLine(m, target.id, variantId, quantity);
          }
          for (const [variantId, quantity] of Object.entries(theirs)) {
            await carts.upsertLine(m, guestId, variantId, quantity);
          }
        });
        const before = new Map((await carts.lines(target.id)).map((l) => [l.variantId, l.id]));

        await db.transaction(async (m) => {
          for (const id of [target.id, guestId].sort()) await carts.lock(m, id);
          await carts.mergeInto(m, guestId, target.id, max);
        });

        const after = await carts.lines(target.id);
        const expected = new Map<string, number>();
        for (const source of [mine, theirs]) {
          for (const [variantId, quantity] of Object.entries(source)) {
            expected.set(variantId, Math.min((expected.get(variantId) ?? 0) + quantity, max));
          }
        }
        expect(after).toHaveLength(expected.size);
        expect(new Set(after.map((l) => l.variantId)).size).toBe(after.length);
        for (const line of after) {
          expect(line.quantity).toBe(expected.get(line.variantId));
          // The customer's own lines keep their identity (a line id in a page stays valid).
          if (before.has(line.variantId)) expect(line.id).toBe(before.get(line.variantId));
        }
        expect(await carts.findGuestCart(guestId)).toBeNull();
      }),
      { numRuns: 40 },
    );
  });
});
