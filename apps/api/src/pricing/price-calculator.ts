import { allocateProportionally, percentOf, vatIncluded } from './money-math';

/** One line to price: a VAT-inclusive unit price from the database, a quantity, a VAT rate. */
export interface PriceableLine {
  unitPrice: number;
  quantity: number;
  vatRateBasisPoints: number;
}

/** A coupon's discount on the goods. */
export interface DiscountRule {
  kind: 'percent' | 'fixed';
  /** Percent (1..100) or an amount in minor units. */
  value: number;
  /** The goods subtotal must be at least this (minor units) for the discount to apply. */
  minimumSubtotal: number;
}

/** The chosen shipping method's VAT-inclusive fee and its VAT rate. */
export interface ShippingCharge {
  fee: number;
  vatRateBasisPoints: number;
}

/** What {@link computeTotals} prices. */
export interface PricingInput {
  lines: readonly PriceableLine[];
  discount: DiscountRule | null;
  shipping: ShippingCharge | null;
}

/** One priced line. */
export interface PricedLineAmounts {
  /** unitPrice × quantity. */
  lineTotal: number;
  /** This line's share of the cart discount. */
  discount: number;
  /** VAT contained in `lineTotal − discount`. */
  vat: number;
}

/** VAT at one rate. */
export interface VatAtRate {
  rateBasisPoints: number;
  amount: number;
}

/** Every amount of a priced cart, integer minor units. */
export interface Totals {
  lines: PricedLineAmounts[];
  /** Σ lineTotal. */
  subtotal: number;
  /** Whether the discount rule applied (the minimum subtotal was reached). */
  discountApplied: boolean;
  /** Discount on the goods: at most the subtotal. */
  discount: number;
  /** Shipping fee (0 without a method). */
  shipping: number;
  /** VAT contained in the shipping fee. */
  shippingVat: number;
  /** subtotal − discount + shipping. */
  total: number;
  /** VAT per rate, rates ascending, zero amounts left out. */
  vat: VatAtRate[];
  /** Σ vat. */
  vatTotal: number;
}

/**
 * Prices a cart. The rounding rule (docs/ARCHITECTURE.md, "Cart and pricing"):
 *
 * 1. `lineTotal = unitPrice × quantity` (exact); `subtotal = Σ lineTotal`.
 * 2. Discount: a percentage is `subtotal × percent / 100` rounded half to even; a fixed amount
 *    is itself; either is capped at the subtotal, and is 0 below the coupon's minimum subtotal.
 * 3. The discount is spread over the lines in proportion to their totals (largest remainder), so
 *    the shares sum to the discount exactly.
 * 4. VAT is computed per line on what is paid for it, `(lineTotal − share) × rate / (1 + rate)`,
 *    rounded half to even; shipping's VAT likewise on its fee. The cart's VAT is the sum of these
 *    rounded amounts — never recomputed from a total — so the line VATs always add up.
 * 5. `total = subtotal − discount + shipping`.
 */
export function computeTotals(input: PricingInput): Totals {
  const lineTotals = input.lines.map((line) => {
    if (!Number.isSafeInteger(line.quantity) || line.quantity < 1) {
      throw new RangeError('quantity must be a positive integer');
    }
    const amount = line.unitPrice * line.quantity;
    if (
      !Number.isSafeInteger(line.unitPrice) ||
      line.unitPrice < 0 ||
      !Number.isSafeInteger(amount)
    ) {
      throw new RangeError('line amount out of range');
    }
    return amount;
  });
  const subtotal = lineTotals.reduce((a, b) => a + b, 0);
  if (!Number.isSafeInteger(subtotal)) throw new RangeError('subtotal out of range');

  const rule = input.discount;
  const discountApplied = rule !== null && subtotal >= rule.minimumSubtotal;
  let discount = 0;
  if (rule && discountApplied) {
    const raw = rule.kind === 'percent' ? percentOf(subtotal, rule.value) : rule.value;
    discount = Math.min(raw, subtotal);
  }
  const shares = allocateProportionally(discount, lineTotals);

  const vatByRate = new Map<number, number>();
  const addVat = (rate: number, amount: number) => {
    vatByRate.set(rate, (vatByRate.get(rate) ?? 0) + amount);
  };
  const lines = input.lines.map((line, index): PricedLineAmounts => {
    const lineTotal = lineTotals[index] ?? 0;
    const share = shares[index] ?? 0;
    const vat = vatIncluded(lineTotal - share, line.vatRateBasisPoints);
    addVat(line.vatRateBasisPoints, vat);
    return { lineTotal, discount: share, vat };
  });

  const shipping = input.shipping?.fee ?? 0;
  const shippingVat = input.shipping
    ? vatIncluded(input.shipping.fee, input.shipping.vatRateBasisPoints)
    : 0;
  if (input.shipping) addVat(input.shipping.vatRateBasisPoints, shippingVat);

  const vat = [...vatByRate.entries()]
    .filter(([, amount]) => amount > 0)
    .sort(([a], [b]) => a - b)
    .map(([rateBasisPoints, amount]) => ({ rateBasisPoints, amount }));
  return {
    lines,
    subtotal,
    discountApplied,
    discount,
    shipping,
    shippingVat,
    total: subtotal - discount + shipping,
    vat,
    vatTotal: vat.reduce((a, b) => a + b.amount, 0),
  };
}
