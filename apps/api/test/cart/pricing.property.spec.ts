import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocateProportionally,
  divideHalfEven,
  percentOf,
  vatIncluded,
} from '../../src/pricing/money-math';
import { computeTotals, type PricingInput } from '../../src/pricing/price-calculator';

/*
 * Property tests of the money rules (docs/ARCHITECTURE.md, "Cart and pricing"): whatever the
 * prices, quantities, VAT rates, discounts and shipping fees, amounts are integers, never
 * negative, lines add up to the subtotal, the discount never exceeds the subtotal and is spread
 * exactly over the lines, and every VAT amount is the exact VAT rounded half to even.
 */

const RUNS = { numRuns: 2_000 };

/** VAT rates the shop may meet: the French ones, others of the EU, and any basis-point rate. */
const vatRate = fc.oneof(
  fc.constantFrom(0, 210, 550, 1000, 2000, 2100, 2500, 2700),
  fc.integer({ min: 0, max: 10_000 }),
);

const line = fc.record({
  unitPrice: fc.oneof(
    fc.integer({ min: 0, max: 100_000 }),
    fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  ),
  quantity: fc.integer({ min: 1, max: 999 }),
  vatRateBasisPoints: vatRate,
});

const discount = fc.option(
  fc.oneof(
    fc.record({
      kind: fc.constant('percent' as const),
      value: fc.integer({ min: 1, max: 100 }),
      minimumSubtotal: fc.integer({ min: 0, max: 200_000 }),
    }),
    fc.record({
      kind: fc.constant('fixed' as const),
      value: fc.integer({ min: 1, max: 10_000_000 }),
      minimumSubtotal: fc.integer({ min: 0, max: 200_000 }),
    }),
  ),
  { nil: null },
);

const input: fc.Arbitrary<PricingInput> = fc.record({
  lines: fc.array(line, { maxLength: 60 }),
  discount,
  shipping: fc.option(
    fc.record({ fee: fc.integer({ min: 0, max: 100_000 }), vatRateBasisPoints: vatRate }),
    { nil: null },
  ),
});

/** |vat − gross × rate / (10000 + rate)| ≤ ½, and exactly ½ only when vat is even. */
function expectRoundedHalfEven(vat: number, gross: number, rate: number): void {
  const scale = BigInt(10_000 + rate);
  const error = BigInt(vat) * scale - BigInt(gross) * BigInt(rate); // (vat − exact) × scale
  const twice = (error < 0n ? -error : error) * 2n;
  expect(twice <= scale).toBe(true);
  if (twice === scale) expect(vat % 2).toBe(0);
}

describe('divideHalfEven', () => {
  it('rounds to the nearest integer, halves to even', () => {
    expect([5n, 15n, 25n, 35n, 45n].map((n) => divideHalfEven(n, 10n))).toEqual([
      0n,
      2n,
      2n,
      4n,
      4n,
    ]);
    expect(divideHalfEven(26n, 10n)).toBe(3n);
    expect(divideHalfEven(24n, 10n)).toBe(2n);
    expect(divideHalfEven(0n, 7n)).toBe(0n);
    expect(() => divideHalfEven(-1n, 2n)).toThrow(RangeError);
    expect(() => divideHalfEven(1n, 0n)).toThrow(RangeError);
  });

  it('is the nearest integer to the exact quotient, for any operands', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 80n }),
        fc.bigInt({ min: 1n, max: 2n ** 40n }),
        (n, d) => {
          const q = divideHalfEven(n, d);
          const twice = (q * d - n < 0n ? n - q * d : q * d - n) * 2n;
          expect(twice <= d).toBe(true);
          if (twice === d) expect(q % 2n).toBe(0n);
        },
      ),
      RUNS,
    );
  });
});

describe('VAT of a VAT-inclusive amount', () => {
  it('matches worked examples', () => {
    expect(vatIncluded(5997, 2000)).toBe(1000); // 999.5 → 1000 (even)
    expect(vatIncluded(5991, 2000)).toBe(998); // 998.5 → 998 (even)
    expect(vatIncluded(1055, 550)).toBe(55); // exactly 55
    expect(vatIncluded(1999, 2000)).toBe(333); // 333.17
    expect(vatIncluded(100, 0)).toBe(0);
    expect(vatIncluded(0, 2000)).toBe(0);
  });

  it('is never negative nor more than the amount, and is the exact VAT rounded half to even', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), vatRate, (gross, rate) => {
        const vat = vatIncluded(gross, rate);
        expect(Number.isSafeInteger(vat)).toBe(true);
        expect(vat).toBeGreaterThanOrEqual(0);
        expect(vat).toBeLessThanOrEqual(gross);
        expectRoundedHalfEven(vat, gross, rate);
      }),
      RUNS,
    );
  });

  it('refuses what is not money', () => {
    expect(() => vatIncluded(-1, 2000)).toThrow(RangeError);
    expect(() => vatIncluded(1.5, 2000)).toThrow(RangeError);
    expect(() => vatIncluded(100, 10_001)).toThrow(RangeError);
  });
});

describe('proportional allocation', () => {
  it('sums exactly to the total and never gives a part more than its weight', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000_000 }), { minLength: 1, maxLength: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (weights, fraction) => {
          const sum = weights.reduce((a, b) => a + b, 0);
          const total = Math.floor(sum * fraction);
          const parts = allocateProportionally(total, weights);
          expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
          parts.forEach((part, i) => {
            expect(Number.isSafeInteger(part)).toBe(true);
            expect(part).toBeGreaterThanOrEqual(0);
            expect(part).toBeLessThanOrEqual(weights[i] ?? 0);
            // Within one unit of the exact proportional share.
            const exact = sum === 0 ? 0 : (total * (weights[i] ?? 0)) / sum;
            expect(Math.abs(part - exact)).toBeLessThan(1 + 1e-6);
          });
        },
      ),
      RUNS,
    );
  });
});

describe('cart totals', () => {
  it('are integers, never negative, and add up: lines → subtotal, discount ≤ subtotal, total', () => {
    fc.assert(
      fc.property(input, (cart) => {
        const totals = computeTotals(cart);
        const amounts = [
          totals.subtotal,
          totals.discount,
          totals.shipping,
          totals.shippingVat,
          totals.total,
          totals.vatTotal,
          ...totals.lines.flatMap((l) => [l.lineTotal, l.discount, l.vat]),
          ...totals.vat.map((v) => v.amount),
        ];
        for (const amount of amounts) {
          expect(Number.isSafeInteger(amount)).toBe(true);
          expect(amount).toBeGreaterThanOrEqual(0);
        }
        expect(totals.lines).toHaveLength(cart.lines.length);
        totals.lines.forEach((priced, i) => {
          const source = cart.lines[i];
          expect(priced.lineTotal).toBe((source?.unitPrice ?? 0) * (source?.quantity ?? 0));
          expect(priced.discount).toBeLessThanOrEqual(priced.lineTotal);
        });
        expect(totals.subtotal).toBe(totals.lines.reduce((a, l) => a + l.lineTotal, 0));
        expect(totals.discount).toBeLessThanOrEqual(totals.subtotal);
        expect(totals.lines.reduce((a, l) => a + l.discount, 0)).toBe(totals.discount);
        expect(totals.shipping).toBe(cart.shipping?.fee ?? 0);
        expect(totals.total).toBe(totals.subtotal - totals.discount + totals.shipping);
        expect(totals.total).toBeGreaterThanOrEqual(totals.shipping);
      }),
      RUNS,
    );
  });

  it('apply the coupon rule: minimum subtotal, percentage rounded half to even, capped', () => {
    fc.assert(
      fc.property(input, (cart) => {
        const totals = computeTotals(cart);
        const rule = cart.discount;
        if (!rule || totals.subtotal < rule.minimumSubtotal) {
          expect(totals.discount).toBe(0);
          expect(totals.discountApplied).toBe(false);
          return;
        }
        expect(totals.discountApplied).toBe(true);
        const raw = rule.kind === 'percent' ? percentOf(totals.subtotal, rule.value) : rule.value;
        expect(totals.discount).toBe(Math.min(raw, totals.subtotal));
        if (rule.kind === 'percent' && rule.value === 100) {
          expect(totals.total).toBe(totals.shipping);
        }
      }),
      RUNS,
    );
  });

  it('compute VAT per line on what is paid for it, and the VAT figures add up', () => {
    fc.assert(
      fc.property(input, (cart) => {
        const totals = computeTotals(cart);
        totals.lines.forEach((priced, i) => {
          const rate = cart.lines[i]?.vatRateBasisPoints ?? 0;
          const paid = priced.lineTotal - priced.discount;
          expect(priced.vat).toBe(vatIncluded(paid, rate));
          expectRoundedHalfEven(priced.vat, paid, rate);
          expect(priced.vat).toBeLessThanOrEqual(paid);
        });
        const shippingVat = cart.shipping
          ? vatIncluded(cart.shipping.fee, cart.shipping.vatRateBasisPoints)
          : 0;
        expect(totals.shippingVat).toBe(shippingVat);
        expect(totals.vatTotal).toBe(totals.lines.reduce((a, l) => a + l.vat, 0) + shippingVat);
        expect(totals.vat.reduce((a, v) => a + v.amount, 0)).toBe(totals.vatTotal);
        // One entry per rate, ascending, each the sum of that rate's line (and shipping) VAT.
        const rates = totals.vat.map((v) => v.rateBasisPoints);
        expect(rates).toEqual([...new Set(rates)].sort((a, b) => a - b));
        for (const { rateBasisPoints, amount } of totals.vat) {
          const expected =
            totals.lines
              .filter((_, i) => cart.lines[i]?.vatRateBasisPoints === rateBasisPoints)
              .reduce((a, l) => a + l.vat, 0) +
            (cart.shipping?.vatRateBasisPoints === rateBasisPoints ? shippingVat : 0);
          expect(amount).toBe(expected);
        }
        // The VAT is part of the price, never added on top.
        expect(totals.vatTotal).toBeLessThanOrEqual(totals.total);
      }),
      RUNS,
    );
  });

  it('price a known cart to the cent', () => {
    const totals = computeTotals({
      lines: [
        { unitPrice: 1999, quantity: 3, vatRateBasisPoints: 2000 },
        { unitPrice: 1055, quantity: 1, vatRateBasisPoints: 550 },
      ],
      discount: { kind: 'percent', value: 10, minimumSubtotal: 5000 },
      shipping: { fee: 490, vatRateBasisPoints: 2000 },
    });
    // Subtotal 7052; 10 % = 705.2 → 705; shares 5997/7052 × 705 = 599.53 → 600 (largest
    // remainder), 1055/7052 × 705 = 105.47 → 105.
    expect(totals.subtotal).toBe(7052);
    expect(totals.discount).toBe(705);
    expect(totals.lines.map((l) => l.discount)).toEqual([600, 105]);
    // (5997 − 600) × 20/120 = 899.5 → 900 (even); (1055 − 105) × 5.5/105.5 = 49.53 → 50;
    // shipping 490 × 20/120 = 81.67 → 82.
    expect(totals.lines.map((l) => l.vat)).toEqual([900, 50]);
    expect(totals.vat).toEqual([
      { rateBasisPoints: 550, amount: 50 },
      { rateBasisPoints: 2000, amount: 982 },
    ]);
    expect(totals.total).toBe(7052 - 705 + 490);
  });

  it('refuse quantities and prices that are not positive integers', () => {
    const bad = [
      { unitPrice: 100, quantity: 0, vatRateBasisPoints: 2000 },
      { unitPrice: 100, quantity: -1, vatRateBasisPoints: 2000 },
      { unitPrice: 100, quantity: 1.5, vatRateBasisPoints: 2000 },
      { unitPrice: -100, quantity: 1, vatRateBasisPoints: 2000 },
      { unitPrice: 10.5, quantity: 1, vatRateBasisPoints: 2000 },
      { unitPrice: Number.MAX_SAFE_INTEGER, quantity: 2, vatRateBasisPoints: 2000 },
    ];
    for (const line of bad) {
      expect(() => computeTotals({ lines: [line], discount: null, shipping: null })).toThrow(
        RangeError,
      );
    }
  });
});
