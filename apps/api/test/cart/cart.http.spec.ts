import { CartSchema, ErrorBodySchema, type Cart } from '@storefront/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInCustomer, signedInStaff } from '../identity/identity-fixture';
import type { Browser } from '../support/browser';
import { startCartWorld, type CartWorld } from './cart-fixture';

let world: CartWorld;

beforeAll(async () => {
  world = await startCartWorld({ CART_MAX_LINES: '5' });
});
afterAll(async () => {
  await world.close();
});

/** The browser's cart, checked against the contract. */
async function cartOf(browser: Browser): Promise<Cart> {
  const response = await browser.get('/api/cart');
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return CartSchema.parse(response.body);
}

/** A guest browser holding one line of a fresh variant. */
async function guestWithLine(quantity = 2, spec = {}) {
  const browser = world.browser();
  const variantId = await world.variant(spec);
  const added = await browser.post('/api/cart/lines', { variantId, quantity });
  expect(added.status, JSON.stringify(added.body)).toBe(200);
  const cart = CartSchema.parse(added.body);
  return { browser, variantId, cart, lineId: cart.lines[0]?.id ?? '' };
}

function expectError(response: { status: number; body: unknown }, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(ErrorBodySchema.parse(response.body).error.code).toBe(code);
}

describe('a guest cart', () => {
  it('is empty without a session, and reading it starts none', async () => {
    const browser = world.browser();
    const response = await browser.get('/api/cart');
    expect(response.status).toBe(200);
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(response.headers['cache-control']).toContain('no-store');
    const cart = CartSchema.parse(response.body);
    expect(cart).toMatchObject({
      lines: [],
      itemCount: 0,
      subtotal: { amount: 0, currency: 'EUR' },
      total: { amount: 0, currency: 'EUR' },
      shipping: null,
      coupon: null,
      checkoutReady: false,
      csrfToken: null,
    });
    expect(cart.shippingMethods.map((m) => m.code)).toEqual(['standard', 'express']);
  });

  it('starts a session at the first line, prices it from the database and adds up quantities', async () => {
    const browser = world.browser();
    const variantId = await world.variant({ price: 2450, vatRateBp: 2000 });
    const first = await browser.post('/api/cart/lines', { variantId, quantity: 2 });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(browser.sid).toBeDefined();
    const cart = CartSchema.parse(first.body);
    expect(cart.csrfToken).toBe(browser.csrfToken);
    expect(cart.lines).toHaveLength(1);
    expect(cart.lines[0]).toMatchObject({
      variantId,
      quantity: 2,
      unitPrice: { amount: 2450, currency: 'EUR' },
      lineTotal: { amount: 4900, currency: 'EUR' },
      vatRateBasisPoints: 2000,
      status: 'ok',
    });
    // 4900 × 2000 / 12000 = 816.67 → 817.
    expect(cart.vat).toEqual([{ rateBasisPoints: 2000, amount: { amount: 817, currency: 'EUR' } }]);
    expect(cart.total.amount).toBe(4900);
    expect(cart.checkoutReady).toBe(true);

    const again = await browser.post('/api/cart/lines', { variantId, quantity: 3 });
    expect(again.status).toBe(200);
    expect(CartSchema.parse(again.body).lines).toMatchObject([{ variantId, quantity: 5 }]);
    const stored = await world.owner.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM cart_lines WHERE variant_id = $1`,
      [variantId],
    );
    expect(stored[0]?.n).toBe(1);
  });

  it('changes a quantity and removes a line', async () => {
    const { browser, lineId } = await guestWithLine(2);
    const changed = await browser.request('PATCH', `/api/cart/lines/${lineId}`, {
      body: { quantity: 7 },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(CartSchema.parse(changed.body).lines[0]?.quantity).toBe(7);
    const removed = await browser.delete(`/api/cart/lines/${lineId}`);
    expect(removed.status).toBe(200);
    expect(CartSchema.parse(removed.body).lines).toEqual([]);
    expectError(await browser.delete(`/api/cart/lines/${lineId}`), 404, 'NOT_FOUND');
  });

  it('refuses a state change without the session’s CSRF token, changing nothing', async () => {
    const { browser, variantId, lineId } = await guestWithLine(2);
    expectError(
      await browser.post('/api/cart/lines', { variantId, quantity: 1 }, { withoutCsrf: true }),
      403,
      'CSRF_REJECTED',
    );
    expectError(
      await browser.request('PATCH', `/api/cart/lines/${lineId}`, {
        body: { quantity: 9 },
        headers: { 'x-csrf-token': 'x'.repeat(43) },
      }),
      403,
      'CSRF_REJECTED',
    );
    expectError(
      await browser.delete(`/api/cart/lines/${lineId}`, { withoutCsrf: true }),
      403,
      'CSRF_REJECTED',
    );
    expect((await cartOf(browser)).lines).toMatchObject([{ id: lineId, quantity: 2 }]);
  });

  it('refuses a cross-site state change by its origin', async () => {
    const browser = world.browser();
    const variantId = await world.variant();
    const response = await browser.post(
      '/api/cart/lines',
      { variantId, quantity: 1 },
      { headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' } },
    );
    expect(response.status).toBe(403);
    expect(browser.sid).toBeUndefined();
  });

  it('holds at most CART_MAX_LINES distinct lines', async () => {
    const browser = world.browser();
    for (let i = 0; i < 5; i++) {
      const added = await browser.post('/api/cart/lines', {
        variantId: await world.variant(),
        quantity: 1,
      });
      expect(added.status).toBe(200);
    }
    expectError(
      await browser.post('/api/cart/lines', { variantId: await world.variant(), quantity: 1 }),
      409,
      'CART_LIMIT_EXCEEDED',
    );
    expect((await cartOf(browser)).lines).toHaveLength(5);
  });
});

describe('attacks on quantities and prices', () => {
  it('refuses a client-sent price, total, currency or cart id (400), changing nothing', async () => {
    const { browser, variantId, lineId } = await guestWithLine(2);
    const before = await cartOf(browser);
    const tampered: Record<string, unknown>[] = [
      { variantId, quantity: 1, price: 1 },
      { variantId, quantity: 1, unitPrice: { amount: 1, currency: 'EUR' } },
      { variantId, quantity: 1, total: 0 },
      { variantId, quantity: 1, lineTotal: 0 },
      { variantId, quantity: 1, currency: 'USD' },
      { variantId, quantity: 1, discount: 100_000 },
      { variantId, quantity: 1, cartId: lineId },
    ];
    for (const body of tampered) {
      const response = await browser.post('/api/cart/lines', body);
      expectError(response, 400, 'VALIDATION_FAILED');
    }
    for (const body of [
      { quantity: 3, price: 1 },
      { quantity: 3, unitPrice: 1 },
      { quantity: 3, currency: 'USD' },
    ]) {
      expectError(
        await browser.request('PATCH', `/api/cart/lines/${lineId}`, { body }),
        400,
        'VALIDATION_FAILED',
      );
    }
    for (const body of [
      { code: 'AAAA-BBBB-CCCC-DDDD-EEEE', discount: 5000 },
      { code: 'AAAA-BBBB-CCCC-DDDD-EEEE', percent: 100 },
    ]) {
      expectError(await browser.post('/api/cart/coupon', body), 400, 'VALIDATION_FAILED');
    }
    expectError(
      await browser.request('PUT', '/api/cart/shipping-method', {
        body: { code: 'standard', fee: 0 },
      }),
      400,
      'VALIDATION_FAILED',
    );
    expect(await cartOf(browser)).toEqual(before);
  });

  it('refuses negative, zero, fractional, huge and non-numeric quantities (400), changing nothing', async () => {
    const { browser, variantId, lineId } = await guestWithLine(2);
    const before = await cartOf(browser);
    const bad: unknown[] = [
      -1,
      0,
      -0.5,
      1.5,
      2.0000001,
      11,
      999,
      1000,
      1e9,
      2 ** 53,
      '3',
      null,
      true,
      [1],
      { n: 1 },
    ];
    for (const quantity of bad) {
      const add = await browser.post('/api/cart/lines', { variantId, quantity });
      expectError(add, 400, 'VALIDATION_FAILED');
      expect(ErrorBodySchema.parse(add.body).error.issues?.[0]?.path).toBe('quantity');
      expectError(
        await browser.request('PATCH', `/api/cart/lines/${lineId}`, { body: { quantity } }),
        400,
        'VALIDATION_FAILED',
      );
    }
    // Numbers JSON can spell but JavaScript cannot hold exactly (1e400 parses as Infinity).
    const raws: [string, number][] = [
      ['1e400', 400],
      ['-1e400', 400],
      // 1E1 and 10.0000000000000001 are 10 once parsed: a valid quantity, but 2 + 10 > 10.
      ['1E1', 409],
      ['10.0000000000000001', 409],
    ];
    for (const [raw, status] of raws) {
      const response = await world.t.app
        .getHttpAdapter()
        .getInstance()
        .inject({
          method: 'POST',
          url: '/api/cart/lines',
          headers: {
            'content-type': 'application/json',
            'sec-fetch-site': 'same-origin',
            cookie: `__Host-sid=${browser.sid ?? ''}`,
            'x-csrf-token': browser.csrfToken ?? '',
          },
          payload: `{"variantId":"${variantId}","quantity":${raw}}`,
          remoteAddress: browser.remoteAddress,
        });
      expect(response.statusCode, `${raw}: ${response.body}`).toBe(status);
    }
    expect(await cartOf(browser)).toEqual(before);
  });

  it('documents request bodies that have no room for a price, a total or a currency', async () => {
    const spec = (await world.browser().get('/api/openapi.json')).body as {
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: {
              content: Record<
                string,
                { schema: { properties: object; additionalProperties: unknown } }
              >;
            };
          }
        >
      >;
    };
    const bodyOf = (path: string, method: string) =>
      spec.paths[path]?.[method]?.requestBody?.content['application/json']?.schema;
    const bodies: [string, string, string[]][] = [
      ['/api/cart/lines', 'post', ['quantity', 'variantId']],
      ['/api/cart/lines/{id}', 'patch', ['quantity']],
      ['/api/cart/coupon', 'post', ['code']],
      ['/api/cart/shipping-method', 'put', ['code']],
    ];
    for (const [path, method, fields] of bodies) {
      const schema = bodyOf(path, method);
      expect(Object.keys(schema?.properties ?? {}).sort(), path).toEqual(fields);
      expect(schema?.additionalProperties, path).toBe(false);
    }
  });

  it('never lets a sum of quantities pass the maximum', async () => {
    const { browser, variantId } = await guestWithLine(6);
    expectError(
      await browser.post('/api/cart/lines', { variantId, quantity: 5 }),
      409,
      'CART_LIMIT_EXCEEDED',
    );
    expect((await cartOf(browser)).lines[0]?.quantity).toBe(6);
  });
});

describe('another session’s cart', () => {
  it('is out of reach of a guest: its lines are 404 and stay unchanged', async () => {
    const victim = await guestWithLine(3);
    const attacker = await guestWithLine(1);
    const fresh = world.browser();
    for (const browser of [attacker.browser, fresh]) {
      expectError(
        await browser.request('PATCH', `/api/cart/lines/${victim.lineId}`, {
          body: { quantity: 9 },
        }),
        404,
        'NOT_FOUND',
      );
      expectError(await browser.delete(`/api/cart/lines/${victim.lineId}`), 404, 'NOT_FOUND');
    }
    expect((await cartOf(victim.browser)).lines).toMatchObject([
      { id: victim.lineId, quantity: 3 },
    ]);
    expect((await cartOf(attacker.browser)).lines.map((l) => l.id)).toEqual([attacker.lineId]);
    // The victim's cart id never left the server: no answer carries it.
    const [row] = await world.owner.query<{ cart_id: string }[]>(
      `SELECT cart_id FROM cart_lines WHERE id = $1`,
      [victim.lineId],
    );
    expect(JSON.stringify(await cartOf(victim.browser))).not.toContain(row?.cart_id);
  });

  it('is out of reach between customers too', async () => {
    const victim = await signedInCustomer(world);
    const attacker = await signedInCustomer(world);
    const variantId = await world.variant();
    const added = CartSchema.parse(
      (await victim.browser.post('/api/cart/lines', { variantId, quantity: 2 })).body,
    );
    const lineId = added.lines[0]?.id ?? '';
    expectError(
      await attacker.browser.request('PATCH', `/api/cart/lines/${lineId}`, {
        body: { quantity: 1 },
      }),
      404,
      'NOT_FOUND',
    );
    expectError(await attacker.browser.delete(`/api/cart/lines/${lineId}`), 404, 'NOT_FOUND');
    expect((await cartOf(victim.browser)).lines).toMatchObject([{ id: lineId, quantity: 2 }]);
    expect((await cartOf(attacker.browser)).lines).toEqual([]);
  });

  it('belongs to the account: another device sees it, the session left after sign-out does not', async () => {
    const customer = await signedInCustomer(world);
    const variantId = await world.variant();
    expect(
      (await customer.browser.post('/api/cart/lines', { variantId, quantity: 4 })).status,
    ).toBe(200);
    const phone = world.browser();
    expect(
      (await phone.post('/api/auth/login', { email: customer.email, password: customer.password }))
        .status,
    ).toBe(200);
    expect((await cartOf(phone)).lines).toMatchObject([{ variantId, quantity: 4 }]);
    expect((await customer.browser.post('/api/auth/logout')).status).toBe(204);
    expect((await cartOf(customer.browser)).lines).toEqual([]);
  });

  it('does not exist for staff sessions (403)', async () => {
    const staff = await signedInStaff(world, ['catalogue-editor']);
    expectError(await staff.browser.get('/api/cart'), 403, 'FORBIDDEN');
    expectError(
      await staff.browser.post('/api/cart/lines', {
        variantId: await world.variant(),
        quantity: 1,
      }),
      403,
      'FORBIDDEN',
    );
  });
});

describe('availability', () => {
  it('refuses inactive, unpublished, deleted and out-of-stock variants, starting no session', async () => {
    const cases = [
      await world.variant({ status: 'inactive' }),
      await world.variant({ productStatus: 'draft' }),
      await world.variant({ productStatus: 'archived' }),
      await world.variant({ stock: 0 }),
      '00000000-0000-4000-8000-000000000000',
    ];
    for (const variantId of cases) {
      const browser = world.browser();
      const response = await browser.post('/api/cart/lines', { variantId, quantity: 1 });
      expectError(response, 409, 'CART_ITEM_UNAVAILABLE');
      expect(response.headers['set-cookie']).toBeUndefined();
    }
    const { browser, variantId } = await guestWithLine(1, { stock: 3 });
    expectError(
      await browser.post('/api/cart/lines', { variantId, quantity: 3 }),
      409,
      'CART_ITEM_UNAVAILABLE',
    );
    expect((await cartOf(browser)).lines[0]?.quantity).toBe(1);
  });

  it('re-checks every line when the cart is priced: withdrawn, sold-out and repriced variants', async () => {
    const browser = world.browser();
    const kept = await world.variant({ price: 1000 });
    const withdrawn = await world.variant({ price: 2000 });
    const scarce = await world.variant({ price: 3000, stock: 5 });
    const deleted = await world.variant({ price: 4000 });
    for (const variantId of [kept, withdrawn, scarce, deleted]) {
      expect((await browser.post('/api/cart/lines', { variantId, quantity: 2 })).status).toBe(200);
    }
    expect((await cartOf(browser)).subtotal.amount).toBe(20_000);

    await world.owner.query(`UPDATE product_variant SET status = 'inactive' WHERE id = $1`, [
      withdrawn,
    ]);
    await world.owner.query(`UPDATE product_variant SET stock = 1 WHERE id = $1`, [scarce]);
    await world.owner.query(`UPDATE product_variant SET price_amount = 1250 WHERE id = $1`, [kept]);
    await world.owner.query(
      `DELETE FROM product WHERE id = (SELECT product_id FROM product_variant WHERE id = $1)`,
      [deleted],
    );

    const cart = await cartOf(browser);
    expect(cart.lines.map((l) => [l.variantId, l.status])).toEqual([
      [kept, 'ok'],
      [withdrawn, 'unavailable'],
      [scarce, 'insufficient-stock'],
    ]);
    expect(cart.lines[0]?.unitPrice.amount).toBe(1250);
    expect(cart.subtotal.amount).toBe(2500);
    expect(cart.total.amount).toBe(2500);
    expect(cart.itemCount).toBe(2);
    expect(cart.checkoutReady).toBe(false);

    const scarceLine = cart.lines[2]?.id ?? '';
    expectError(
      await browser.request('PATCH', `/api/cart/lines/${scarceLine}`, { body: { quantity: 2 } }),
      409,
      'CART_ITEM_UNAVAILABLE',
    );
    expect(
      (await browser.request('PATCH', `/api/cart/lines/${scarceLine}`, { body: { quantity: 1 } }))
        .status,
    ).toBe(200);
    expect((await browser.delete(`/api/cart/lines/${cart.lines[1]?.id ?? ''}`)).status).toBe(200);
    const ready = await cartOf(browser);
    expect(ready.checkoutReady).toBe(true);
    expect(ready.subtotal.amount).toBe(2500 + 3000);
  });
});

describe('pricing', () => {
  it('prices lines at several VAT rates and a shipping method, in integer cents', async () => {
    const browser = world.browser();
    const clothes = await world.variant({ price: 1999, vatRateBp: 2000 });
    const book = await world.variant({ price: 1055, vatRateBp: 550 });
    await browser.post('/api/cart/lines', { variantId: clothes, quantity: 3 });
    const priced = CartSchema.parse(
      (await browser.post('/api/cart/lines', { variantId: book, quantity: 1 })).body,
    );
    expect(priced.subtotal.amount).toBe(5997 + 1055);
    // 5997 × 20/120 = 999.5 → 1000 (half to even); 1055 × 5.5/105.5 = 55 exactly.
    expect(priced.vat).toEqual([
      { rateBasisPoints: 550, amount: { amount: 55, currency: 'EUR' } },
      { rateBasisPoints: 2000, amount: { amount: 1000, currency: 'EUR' } },
    ]);

    const shipped = await browser.request('PUT', '/api/cart/shipping-method', {
      body: { code: 'standard' },
    });
    expect(shipped.status, JSON.stringify(shipped.body)).toBe(200);
    const cart = CartSchema.parse(shipped.body);
    expect(cart.shippingMethod).toBe('standard');
    expect(cart.shipping).toEqual({ amount: 490, currency: 'EUR' });
    expect(cart.total.amount).toBe(7052 + 490);
    // Shipping's VAT: 490 × 20/120 = 81.67 → 82, added to the 20 % rate.
    expect(cart.vat[1]?.amount.amount).toBe(1000 + 82);

    expectError(
      await browser.request('PUT', '/api/cart/shipping-method', { body: { code: 'teleport' } }),
      400,
      'VALIDATION_FAILED',
    );
    await world.owner.query(`UPDATE shipping_methods SET active = false WHERE code = 'express'`);
    try {
      expectError(
        await browser.request('PUT', '/api/cart/shipping-method', { body: { code: 'express' } }),
        400,
        'VALIDATION_FAILED',
      );
    } finally {
      await world.owner.query(`UPDATE shipping_methods SET active = true WHERE code = 'express'`);
    }
    expect((await cartOf(browser)).shippingMethod).toBe('standard');
  });
});
