/*
 * Integer money arithmetic. Every amount is an integer number of minor units (cents); the only
 * divisions are the two below, each with one stated rounding rule, so the same cart always prices
 * to the same cents on every machine. Products are computed in BigInt, so no intermediate value
 * can lose precision whatever the rate or quantity.
 */

/** Basis points in one whole: 10 000 bp = 100 %. */
export const BASIS_POINTS = 10_000;

function assertAmount(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${value}`);
  }
}

/**
 * `numerator / denominator` rounded to the nearest integer, halves to the even neighbour
 * ("banker's rounding"): 2.5 → 2, 3.5 → 4. Unbiased, so rounding many lines does not drift
 * one way. Both operands non-negative, the denominator positive.
 */
export function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (numerator < 0n || denominator <= 0n) {
    throw new RangeError('divideHalfEven needs numerator ≥ 0 and denominator > 0');
  }
  const quotient = numerator / denominator;
  const twiceRemainder = (numerator % denominator) * 2n;
  if (twiceRemainder > denominator) return quotient + 1n;
  if (twiceRemainder < denominator) return quotient;
  return quotient % 2n === 0n ? quotient : quotient + 1n;
}

/**
 * The VAT contained in a VAT-inclusive amount: `gross × rate / (10 000 + rate)`, rate in basis
 * points, rounded half to even. Never negative, never more than `gross`.
 */
export function vatIncluded(gross: number, rateBasisPoints: number): number {
  assertAmount(gross, 'gross');
  if (!Number.isInteger(rateBasisPoints) || rateBasisPoints < 0 || rateBasisPoints > BASIS_POINTS) {
    throw new RangeError(`VAT rate must be 0..${BASIS_POINTS} basis points`);
  }
  return Number(
    divideHalfEven(BigInt(gross) * BigInt(rateBasisPoints), BigInt(BASIS_POINTS + rateBasisPoints)),
  );
}

/** `amount × percent / 100`, rounded half to even (a percentage discount). */
export function percentOf(amount: number, percent: number): number {
  assertAmount(amount, 'amount');
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
    throw new RangeError('percent must be an integer 0..100');
  }
  return Number(divideHalfEven(BigInt(amount) * BigInt(percent), 100n));
}

/**
 * Splits `total` over parts in proportion to `weights` (largest remainder method): each part gets
 * `floor(total × weight / Σweights)`, then the units left go one each to the parts with the
 * largest remainders (earlier parts first on a tie). The parts always sum to exactly `total`,
 * and when `total ≤ Σweights` no part exceeds its weight. Used to spread a cart discount over its
 * lines, so each line's VAT is computed on what the customer really pays for it.
 */
export function allocateProportionally(total: number, weights: readonly number[]): number[] {
  assertAmount(total, 'total');
  for (const weight of weights) assertAmount(weight, 'weight');
  const sum = weights.reduce((a, b) => a + b, 0);
  if (total === 0 || weights.length === 0) return weights.map(() => 0);
  if (sum === 0) throw new RangeError('cannot allocate a positive total over zero weights');
  const big = BigInt(total);
  const bigSum = BigInt(sum);
  const parts = weights.map((w) => (big * BigInt(w)) / bigSum);
  const remainders = weights.map((w, index) => ({ index, remainder: (big * BigInt(w)) % bigSum }));
  let left = big - parts.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) =>
    a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1,
  );
  for (const { index } of remainders) {
    if (left === 0n) break;
    parts[index] = (parts[index] ?? 0n) + 1n;
    left -= 1n;
  }
  return parts.map(Number);
}
