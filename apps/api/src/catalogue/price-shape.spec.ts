import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { priceMatchesAtMost, pricePageShape, type PriceDistribution } from './price-shape';

interface Priced {
  from: number;
  to: number;
}

/** The band totals of `products`, as `product_price_band_count` keeps them. */
function distributionOf(products: Priced[], lowers: number[]): PriceDistribution {
  return {
    lowers,
    toAtLeast: lowers.map((lower) => products.filter((p) => p.to >= lower).length),
    fromAtLeast: lowers.map((lower) => products.filter((p) => p.from >= lower).length),
  };
}

const matching = (products: Priced[], min?: number, max?: number) =>
  products.filter((p) => (min === undefined || p.to >= min) && (max === undefined || p.from <= max))
    .length;

const product = fc
  .tuple(fc.integer({ min: 0, max: 50_000 }), fc.integer({ min: 0, max: 20_000 }))
  .map(([from, spread]) => ({ from, to: from + spread }));
const lowers = fc
  .uniqueArray(fc.integer({ min: 1, max: 60_000 }), { maxLength: 40 })
  .map((values) => [0, ...values.sort((a, b) => a - b)]);
const bound = fc.option(fc.integer({ min: 0, max: 80_000 }), { nil: undefined });

describe('priceMatchesAtMost', () => {
  it('never counts fewer products than a price range matches (property)', () => {
    fc.assert(
      fc.property(
        fc.array(product, { maxLength: 60 }),
        lowers,
        bound,
        bound,
        (ps, ls, min, max) => {
          expect(priceMatchesAtMost(distributionOf(ps, ls), min, max)).toBeGreaterThanOrEqual(
            matching(ps, min, max),
          );
        },
      ),
    );
  });

  it('is exact for a bound on a band boundary', () => {
    const products = [
      { from: 500, to: 900 },
      { from: 1_000, to: 1_000 },
      { from: 1_500, to: 4_000 },
      { from: 3_000, to: 3_500 },
    ];
    const distribution = distributionOf(products, [0, 1_000, 2_000, 3_000]);
    expect(priceMatchesAtMost(distribution, 1_000, undefined)).toBe(3);
    expect(priceMatchesAtMost(distribution, 3_000, undefined)).toBe(2);
    expect(priceMatchesAtMost(distribution, undefined, 1_999)).toBe(3);
    expect(priceMatchesAtMost(distribution, undefined, 2_999)).toBe(3);
    expect(priceMatchesAtMost(distribution, 3_000, 1_999)).toBe(2);
    expect(priceMatchesAtMost(distribution, undefined, undefined)).toBe(4);
  });

  it('counts nothing in an empty catalogue', () => {
    expect(priceMatchesAtMost(distributionOf([], [0, 500]), 100, 300)).toBe(0);
  });
});

describe('pricePageShape', () => {
  // 2,000 products, one at each price from 0 to 1,999 cents; bands every 10 cents.
  const products = Array.from({ length: 2_000 }, (_, i) => ({ from: i, to: i }));
  const distribution = distributionOf(
    products,
    Array.from({ length: 200 }, (_, i) => i * 10),
  );

  it('walks the sort index when the bound keeps many products', () => {
    expect(pricePageShape(distribution, 0, undefined, 25)).toBe('walk');
    expect(pricePageShape(distribution, 1_800, undefined, 25)).toBe('walk');
    expect(pricePageShape(distribution, undefined, 200, 25)).toBe('walk');
  });

  it('reads the price range when the bound keeps few', () => {
    // 8 × matches² < 25 × 2,000 below about 79 matches.
    expect(pricePageShape(distribution, 1_930, undefined, 25)).toBe('range');
    expect(pricePageShape(distribution, undefined, 60, 25)).toBe('range');
    expect(pricePageShape(distribution, 1_940, 1_990, 25)).toBe('range');
    expect(pricePageShape(distribution, 1_910, undefined, 25)).toBe('walk');
  });
});
