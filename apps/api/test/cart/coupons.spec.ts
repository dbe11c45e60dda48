import { createHash, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { CartSchema, ErrorBodySchema } from '@storefront/contracts';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config';
import {
  COUPON_ALPHABET,
  COUPON_CODE_BITS,
  COUPON_CODE_LENGTH,
} from '../../src/coupons/coupon-codes';
import { couponsCreate, parseCouponTerms } from '../../src/coupons/coupons-create.command';
import {
  CouponsService,
  customerRefOfGuest,
  customerRefOfUser,
  type CustomerRef,
} from '../../src/coupons/coupons.service';
import { DomainError } from '../../src/core/errors/domain-error';
import { signedInCustomer } from '../identity/identity-fixture';
import { Browser } from '../support/browser';
import { startTestApp } from '../support/test-app';
import { startCartWorld, type CartWorld } from './cart-fixture';

let world: CartWorld;
let coupons: CouponsService;
let db: DataSource;

beforeAll(async () => {
  // A pool wide enough for concurrent redemptions to really contend for the coupon row.
  world = await startCartWorld({ DATABASE_POOL_SIZE: '24' });
  coupons = world.t.app.get(CouponsService);
  db = world.t.app.get(DataSource);
});
afterAll(async () => {
  await world.close();
});

/** A guest browser with `quantity` units of a €100.00 variant at 20 % VAT. */
async function shopper(quantity = 1): Promise<Browser> {
  const browser = world.browser();
  const variantId = await world.variant({ price: 10_000, vatRateBp: 2000 });
  expect((await browser.post('/api/cart/lines', { variantId, quantity })).status).toBe(200);
  return browser;
}

function expectNotApplicable(response: { status: number; body: unknown }): void {
  expect(response.status, JSON.stringify(response.body)).toBe(422);
  const { error } = ErrorBodySchema.parse(response.body);
  expect(error.code).toBe('COUPON_NOT_APPLICABLE');
  expect(error.message).toBe('This code cannot be applied.');
  expect(error.issues).toBeUndefined();
}

/** Runs `count` redemptions at once, each in its own transaction; returns how many succeeded. */
async function raceRedemptions(
  couponId: string,
  customerRefs: readonly CustomerRef[],
): Promise<{ succeeded: number; refused: number }> {
  const results = await Promise.allSettled(
    customerRefs.map((customerRef) =>
      db.transaction(async (manager) => {
        const id = await coupons.redeem(manager, { couponId, customerRef });
        // Something else in the checkout transaction, so lock holders overlap.
        await manager.query(`SELECT pg_sleep(0.01)`);
        return id;
      }),
    ),
  );
  for (const result of results) {
    if (result.status === 'rejected') {
      expect(result.reason).toBeInstanceOf(DomainError);
      expect((result.reason as DomainError).code).toBe('COUPON_NOT_APPLICABLE');
    }
  }
  return {
    succeeded: results.filter((r) => r.status === 'fulfilled').length,
    refused: results.filter((r) => r.status === 'rejected').length,
  };
}

describe('coupon codes', () => {
  it('have at least 128 bits of entropy and are stored only as a SHA-256 digest', async () => {
    expect(COUPON_CODE_BITS).toBeGreaterThanOrEqual(128);
    const created = await world.coupon();
    const canonical = created.code.replaceAll('-', '');
    expect(canonical).toMatch(new RegExp(`^[${COUPON_ALPHABET}]{26}$`));
    const [row] = await world.owner.query<Record<string, unknown>[]>(
      `SELECT * FROM coupons WHERE id = $1`,
      [created.id],
    );
    expect(row?.['code_hash']).toEqual(createHash('sha256').update(canonical).digest());
    expect(JSON.stringify(row)).not.toContain(canonical.slice(0, 8));
    expect(row?.['code_hint']).toBe(canonical.slice(-4));
    // Codes are all different.
    const many = new Set(
      await Promise.all(Array.from({ length: 200 }, async () => (await world.coupon()).code)),
    );
    expect(many.size).toBe(200);
  });

  it('apply to the cart whatever the case, spacing and dashes, and discount the goods', async () => {
    const browser = await shopper(2);
    const { code } = await world.coupon({ discountKind: 'percent', discountValue: 15 });
    const typed = ` ${code.toLowerCase().replaceAll('-', ' ')} `;
    const response = await browser.post('/api/cart/coupon', { code: typed });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const cart = CartSchema.parse(response.body);
    expect(cart.coupon).toMatchObject({
      status: 'applied',
      codeHint: `…${code.replaceAll('-', '').slice(-4)}`,
    });
    expect(cart.subtotal.amount).toBe(20_000);
    expect(cart.discount.amount).toBe(3_000);
    expect(cart.total.amount).toBe(17_000);
    // VAT on what is paid: 17000 × 20/120 = 2833.33 → 2833.
    expect(cart.vat).toEqual([
      { rateBasisPoints: 2000, amount: { amount: 2833, currency: 'EUR' } },
    ]);
    const removed = CartSchema.parse((await browser.delete('/api/cart/coupon')).body);
    expect(removed.coupon).toBeNull();
    expect(removed.total.amount).toBe(20_000);
  });

  it('never discount more than the goods, and respect the minimum subtotal', async () => {
    const browser = await shopper(1);
    const { code } = await world.coupon({
      discountKind: 'fixed',
      discountValue: 50_000,
      minSubtotal: 15_000,
    });
    const below = CartSchema.parse((await browser.post('/api/cart/coupon', { code })).body);
    expect(below.coupon?.status).toBe('minimum-not-reached');
    expect(below.coupon?.minimumSubtotal.amount).toBe(15_000);
    expect(below.discount.amount).toBe(0);
    const variantId = below.lines[0]?.variantId ?? '';
    const above = CartSchema.parse(
      (await browser.post('/api/cart/lines', { variantId, quantity: 1 })).body,
    );
    expect(above.coupon?.status).toBe('applied');
    expect(above.discount.amount).toBe(20_000);
    expect(above.total.amount).toBe(0);
    expect(above.vat).toEqual([]);
    const shipped = CartSchema.parse(
      (await browser.request('PUT', '/api/cart/shipping-method', { body: { code: 'express' } }))
        .body,
    );
    // The discount never reaches the shipping fee.
    expect(shipped.total.amount).toBe(1290);
  });

  it('answer every refusal the same way: forged, malformed, unknown, expired, early, withdrawn, used up', async () => {
    const browser = await shopper(1);
    const expired = await world.coupon({
      validFrom: new Date(Date.now() - 2 * 86_400_000),
      validUntil: new Date(Date.now() - 86_400_000),
    });
    const early = await world.coupon({
      validFrom: new Date(Date.now() + 3_600_000),
      validUntil: new Date(Date.now() + 86_400_000),
    });
    const withdrawn = await world.coupon();
    await world.owner.query(`UPDATE coupons SET status = 'disabled' WHERE id = $1`, [withdrawn.id]);
    const usedUp = await world.coupon({ maxRedemptions: 1 });
    await db.transaction((m) =>
      coupons.redeem(m, { couponId: usedUp.id, customerRef: customerRefOfUser(randomUUID()) }),
    );
    const valid = await world.coupon();
    const forged = [
      valid.code.slice(0, -1) + (valid.code.endsWith('Z') ? 'Y' : 'Z'),
      'AAAA-AAAA-AAAA-AAAA-AAAA',
      'SUMMER10',
      'ABCD',
      `${valid.code}0`,
      'UUUU-UUUU-UUUU-UUUU-UUUU',
    ];
    const answers: unknown[] = [];
    for (const code of [...forged, expired.code, early.code, withdrawn.code, usedUp.code]) {
      const response = await browser.post('/api/cart/coupon', { code });
      expectNotApplicable(response);
      answers.push({ ...(response.body as { error: object }).error, requestId: '' });
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    // Validity follows the server's clock: a client claiming another date changes nothing.
    expectNotApplicable(
      await browser.post(
        '/api/cart/coupon',
        { code: early.code },
        { headers: { date: new Date(Date.now() + 2 * 3_600_000).toUTCString() } },
      ),
    );
    const cart = CartSchema.parse((await browser.get('/api/cart')).body);
    expect(cart.coupon).toBeNull();
    expect(cart.discount.amount).toBe(0);
    // Characters no code has are refused by the contract (400), before any lookup.
    expect((await browser.post('/api/cart/coupon', { code: "' OR 1=1 --" })).status).toBe(400);
  });

  it('stop applying once expired or used up after being attached', async () => {
    const browser = await shopper(1);
    const coupon = await world.coupon({ maxRedemptions: 1 });
    expect(
      CartSchema.parse((await browser.post('/api/cart/coupon', { code: coupon.code })).body).coupon
        ?.status,
    ).toBe('applied');
    await db.transaction((m) =>
      coupons.redeem(m, { couponId: coupon.id, customerRef: customerRefOfUser(randomUUID()) }),
    );
    const usedUp = CartSchema.parse((await browser.get('/api/cart')).body);
    expect(usedUp.coupon?.status).toBe('not-applicable');
    expect(usedUp.discount.amount).toBe(0);

    const other = await shopper(1);
    const expiring = await world.coupon();
    await other.post('/api/cart/coupon', { code: expiring.code });
    await world.owner.query(
      `UPDATE coupons SET valid_from = now() - interval '2 days', valid_until = now() - interval '1 second' WHERE id = $1`,
      [expiring.id],
    );
    const expired = CartSchema.parse((await other.get('/api/cart')).body);
    expect(expired.coupon?.status).toBe('not-applicable');
    expect(expired.discount.amount).toBe(0);
  });

  it('count per customer: a customer who used up their share cannot apply it again', async () => {
    const customer = await signedInCustomer(world);
    const variantId = await world.variant({ price: 5_000 });
    await customer.browser.post('/api/cart/lines', { variantId, quantity: 1 });
    const coupon = await world.coupon({ maxRedemptionsPerCustomer: 1 });
    const applied = await customer.browser.post('/api/cart/coupon', { code: coupon.code });
    expect(CartSchema.parse(applied.body).coupon?.status).toBe('applied');
    const profile = await customer.browser.get('/api/account/profile');
    const userId = (profile.body as { id: string }).id;
    await db.transaction((m) =>
      coupons.redeem(m, { couponId: coupon.id, customerRef: customerRefOfUser(userId) }),
    );
    expect(CartSchema.parse((await customer.browser.get('/api/cart')).body).coupon?.status).toBe(
      'not-applicable',
    );
    await customer.browser.delete('/api/cart/coupon');
    expectNotApplicable(await customer.browser.post('/api/cart/coupon', { code: coupon.code }));
    // Another customer still can.
    const other = await signedInCustomer(world);
    await other.browser.post('/api/cart/lines', { variantId, quantity: 1 });
    expect((await other.browser.post('/api/cart/coupon', { code: coupon.code })).status).toBe(200);
  });
});

describe('redemption under concurrency', () => {
  it('lets exactly N of many concurrent redemptions of a code limited to N succeed', async () => {
    const limit = 5;
    const coupon = await world.coupon({ maxRedemptions: limit });
    const refs = Array.from({ length: 40 }, () => customerRefOfUser(randomUUID()));
    const { succeeded, refused } = await raceRedemptions(coupon.id, refs);
    expect(succeeded).toBe(limit);
    expect(refused).toBe(40 - limit);
    const [row] = await world.owner.query<{ redemption_count: number; rows: number }[]>(
      `SELECT redemption_count, (SELECT count(*)::int FROM coupon_redemptions WHERE coupon_id = $1) AS rows
         FROM coupons WHERE id = $1`,
      [coupon.id],
    );
    expect(row).toEqual({ redemption_count: limit, rows: limit });
  });

  it('lets one customer redeem exactly their share, however many tries race', async () => {
    const coupon = await world.coupon({ maxRedemptionsPerCustomer: 2 });
    const guest = customerRefOfGuest(randomBytes(32).toString('base64url'));
    const { succeeded } = await raceRedemptions(
      coupon.id,
      Array.from({ length: 20 }, () => guest),
    );
    expect(succeeded).toBe(2);
    // Other customers are not affected by that customer's share.
    expect((await raceRedemptions(coupon.id, [customerRefOfUser(randomUUID())])).succeeded).toBe(1);
  });

  it('gives a use back when a redemption is released (payment failed), once', async () => {
    const coupon = await world.coupon({ maxRedemptions: 1, maxRedemptionsPerCustomer: 1 });
    const customer = customerRefOfUser(randomUUID());
    const redemption = await db.transaction((m) =>
      coupons.redeem(m, { couponId: coupon.id, customerRef: customer }),
    );
    expect((await raceRedemptions(coupon.id, [customer])).succeeded).toBe(0);
    const released = await Promise.all(
      Array.from({ length: 5 }, () => db.transaction((m) => coupons.release(m, redemption))),
    );
    expect(released.filter(Boolean)).toHaveLength(1);
    expect((await raceRedemptions(coupon.id, [customer, customer, customer])).succeeded).toBe(1);
  });

  it('refuses redemption outside the validity window or once withdrawn, by the database clock', async () => {
    const early = await world.coupon({
      validFrom: new Date(Date.now() + 3_600_000),
      validUntil: new Date(Date.now() + 7_200_000),
    });
    expect((await raceRedemptions(early.id, [customerRefOfUser(randomUUID())])).succeeded).toBe(0);
    const withdrawn = await world.coupon();
    await world.owner.query(`UPDATE coupons SET status = 'disabled' WHERE id = $1`, [withdrawn.id]);
    expect((await raceRedemptions(withdrawn.id, [customerRefOfUser(randomUUID())])).succeeded).toBe(
      0,
    );
  });

  it('keeps the per-code limit in the database too (CHECK), whatever the code does', async () => {
    const coupon = await world.coupon({ maxRedemptions: 1 });
    await expect(
      world.owner.query(`UPDATE coupons SET redemption_count = 2 WHERE id = $1`, [coupon.id]),
    ).rejects.toThrow(/check constraint/);
  });

  it('answers forged codes fired concurrently the same, and attaches none', async () => {
    const browser = await shopper(1);
    const guesses = Array.from({ length: 30 }, () =>
      Array.from({ length: COUPON_CODE_LENGTH }, () => COUPON_ALPHABET.charAt(randomInt(32))).join(
        '',
      ),
    );
    const responses = await Promise.all(
      guesses.map((code) => browser.post('/api/cart/coupon', { code })),
    );
    for (const response of responses) expectNotApplicable(response);
    expect(CartSchema.parse((await browser.get('/api/cart')).body).coupon).toBeNull();
  });
});

describe('coupon attempts are rate limited', () => {
  it('refuses attempts beyond RATE_LIMIT_CHECKOUT per client address, even a good code', async () => {
    const limited = await startTestApp({
      env: { DATABASE_URL: world.databaseUrl, RATE_LIMIT_CHECKOUT: '5/60' },
    });
    try {
      const browser = new Browser(limited.app, '198.51.100.77');
      const valid = await world.coupon();
      for (let i = 0; i < 5; i++) {
        expectNotApplicable(
          await browser.post('/api/cart/coupon', { code: 'AAAA-BBBB-CCCC-DDDD-EEEE' }),
        );
      }
      const blocked = await browser.post('/api/cart/coupon', { code: valid.code });
      expect(blocked.status).toBe(429);
      expect(ErrorBodySchema.parse(blocked.body).error.code).toBe('RATE_LIMITED');
      // Another client address has its own allowance.
      const other = new Browser(limited.app, '198.51.100.78');
      expect((await other.post('/api/cart/coupon', { code: valid.code })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('coupons:create', () => {
  it('parses its flags strictly', () => {
    const now = new Date('2026-11-20T10:00:00Z');
    expect(parseCouponTerms(['--percent', '10', '--days', '30'], now)).toEqual({
      discountKind: 'percent',
      discountValue: 10,
      minSubtotal: 0,
      validFrom: now,
      validUntil: new Date('2026-12-20T10:00:00Z'),
      maxRedemptions: null,
      maxRedemptionsPerCustomer: null,
    });
    expect(
      parseCouponTerms(
        [
          '--amount',
          '500',
          '--min-subtotal',
          '3000',
          '--valid-from',
          '2026-12-01T00:00:00Z',
          '--valid-until',
          '2026-12-24T00:00:00Z',
          '--max-redemptions',
          '100',
          '--per-customer',
          '1',
        ],
        now,
      ),
    ).toMatchObject({ discountKind: 'fixed', discountValue: 500, maxRedemptionsPerCustomer: 1 });
    for (const bad of [
      [],
      ['--percent', '10'],
      ['--percent', '101', '--days', '1'],
      ['--percent', '0', '--days', '1'],
      ['--percent', '10', '--amount', '5', '--days', '1'],
      ['--percent', '-5', '--days', '1'],
      ['--percent', '1.5', '--days', '1'],
      ['--percent', '10', '--days', '1', '--valid-until', '2027-01-01T00:00:00Z'],
      ['--percent', '10', '--valid-until', 'tomorrow'],
      ['--percent', '10', '--valid-until', '2026-11-01T00:00:00Z'],
      ['--percent', '10', '--days', '1', '--bogus', '1'],
      ['--percent', '10', '--days'],
    ]) {
      expect(typeof parseCouponTerms(bad, now), bad.join(' ')).toBe('string');
    }
  });

  it('creates a coupon and prints its code once, which then applies', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: world.databaseUrl });
    const code = await couponsCreate(
      config,
      ['--percent', '20', '--days', '7', '--per-customer', '1'],
      {
        out: (line) => out.push(line),
        err: (line) => err.push(line),
      },
    );
    expect(code).toBe(0);
    expect(err).toEqual([]);
    const printed = out.at(-1) ?? '';
    expect(printed).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){5}-[0-9A-Z]{2}$/);
    const browser = await shopper(1);
    const cart = CartSchema.parse((await browser.post('/api/cart/coupon', { code: printed })).body);
    expect(cart.discount.amount).toBe(2_000);
    // Audited with its terms and the table's hint, never the code itself.
    const couponId = /^coupon (\S+) created$/.exec(out[0] ?? '')?.[1];
    const [audited] = await world.owner.query<
      { actor_type: string; actor_id: string; details: Record<string, unknown> }[]
    >(
      `SELECT actor_type, actor_id, details FROM audit_log
        WHERE action = 'coupon.created' AND target_type = 'coupon' AND target_id = $1`,
      [couponId],
    );
    expect(audited).toMatchObject({
      actor_type: 'system',
      actor_id: 'cli:coupons-create',
      details: { discountKind: 'percent', discountValue: 20, maxRedemptionsPerCustomer: 1 },
    });
    expect(audited?.details['codeHint']).toBe(printed.replaceAll('-', '').slice(-4));
    expect(JSON.stringify(audited)).not.toContain(printed.replaceAll('-', '').slice(0, 8));
    expect(
      await couponsCreate(config, ['--percent', '200', '--days', '7'], {
        out: () => undefined,
        err: (line) => err.push(line),
      }),
    ).toBe(64);
  });
});
