import { Inject, Injectable } from '@nestjs/common';
import type { CartLineStatus } from '@storefront/contracts';
import type { EntityManager } from 'typeorm';
import { CouponsService, type CustomerRef } from '../coupons/coupons.service';
import {
  CataloguePricesRepository,
  type ShippingMethodPrice,
  type VariantPrice,
} from './catalogue-prices.repository';
import { computeTotals, type DiscountRule, type VatAtRate } from './price-calculator';

/** What to price: the cart's lines and choices (ids and quantities only — no amounts). */
export interface CartToPrice {
  lines: readonly { id: string; variantId: string; quantity: number }[];
  couponId: string | null;
  shippingMethodCode: string | null;
}

/** Options of {@link CartPricing.priceCart}. */
export interface PriceCartOptions {
  /** Read inside this transaction (checkout prices the cart in the transaction that orders it). */
  manager?: EntityManager;
  /** Whose per-customer coupon limit applies; null/absent when not known yet (a guest's cart). */
  customerRef?: CustomerRef | null;
  /** Shipping method to price instead of the cart's own choice (checkout's). */
  shippingMethodCode?: string | null;
}

/** One line, priced. Lines that are not `ok` have zero amounts and are outside the totals. */
export interface PricedCartLine {
  id: string;
  variantId: string;
  quantity: number;
  status: CartLineStatus;
  /** The variant as the catalogue has it now; null when it no longer exists. */
  variant: VariantPrice | null;
  unitPrice: number;
  lineTotal: number;
  /** This line's share of the discount. */
  discount: number;
  /** VAT in what is paid for this line (lineTotal − discount). */
  vat: number;
  vatRateBasisPoints: number;
}

/** A cart priced from the database: every amount integer minor units of `currency`. */
export interface PricedCart {
  currency: 'EUR';
  lines: PricedCartLine[];
  /** Units in `ok` lines. */
  itemCount: number;
  subtotal: number;
  discount: number;
  /** Fee of the priced shipping method; null when none is chosen. */
  shipping: number | null;
  total: number;
  vat: VatAtRate[];
  vatTotal: number;
  coupon: {
    id: string;
    codeHint: string;
    status: 'applied' | 'minimum-not-reached' | 'not-applicable';
    minimumSubtotal: number;
  } | null;
  shippingMethod: ShippingMethodPrice | null;
  shippingMethods: ShippingMethodPrice[];
  /** At least one line, and every line `ok`. */
  checkoutReady: boolean;
}

/**
 * Whether `quantity` units of a variant can be bought now: it exists, it and its product are
 * active, it is sold in EUR and in stock, with at least that many units.
 */
export function lineStatusOf(variant: VariantPrice | undefined, quantity: number): CartLineStatus {
  if (!variant || !variant.active || variant.currency !== 'EUR' || variant.stock <= 0) {
    return 'unavailable';
  }
  return variant.stock < quantity ? 'insufficient-stock' : 'ok';
}

/**
 * The one pricing path: the cart page and checkout both call {@link priceCart}, so what the
 * shopper saw is what checkout charges, re-derived from the database each time. Availability is
 * re-checked here too (a variant withdrawn or sold out since it was added makes its line
 * `unavailable`, and the cart not ready for checkout).
 */
@Injectable()
export class CartPricing {
  constructor(
    @Inject(CataloguePricesRepository) private readonly prices: CataloguePricesRepository,
    @Inject(CouponsService) private readonly coupons: CouponsService,
  ) {}

  /** Prices a cart with today's prices, stock, shipping fees and coupon state. */
  async priceCart(cart: CartToPrice, options: PriceCartOptions = {}): Promise<PricedCart> {
    const manager = options.manager;
    const [variants, shippingMethods] = await Promise.all([
      this.prices.variants(
        cart.lines.map((l) => l.variantId),
        manager,
      ),
      this.prices.activeShippingMethods(manager),
    ]);
    const lines = cart.lines.map((line) => {
      const variant = variants.get(line.variantId);
      return { line, variant: variant ?? null, status: lineStatusOf(variant, line.quantity) };
    });
    const priceable = lines.filter((l) => l.status === 'ok');

    const chosen =
      options.shippingMethodCode === undefined
        ? cart.shippingMethodCode
        : options.shippingMethodCode;
    const shippingMethod = shippingMethods.find((m) => m.code === chosen) ?? null;

    const attached = cart.couponId
      ? await this.coupons.forPricing(cart.couponId, options.customerRef ?? null, manager)
      : null;
    const rule: DiscountRule | null =
      attached?.usable === true
        ? {
            kind: attached.record.discountKind,
            value: attached.record.discountValue,
            minimumSubtotal: attached.record.minSubtotal,
          }
        : null;

    const totals = computeTotals({
      lines: priceable.map(({ line, variant }) => ({
        unitPrice: variant?.unitPrice ?? 0,
        quantity: line.quantity,
        vatRateBasisPoints: variant?.vatRateBasisPoints ?? 0,
      })),
      discount: rule,
      shipping: shippingMethod
        ? { fee: shippingMethod.fee, vatRateBasisPoints: shippingMethod.vatRateBasisPoints }
        : null,
    });

    let next = 0;
    const pricedLines = lines.map(({ line, variant, status }): PricedCartLine => {
      const amounts = status === 'ok' ? totals.lines[next++] : undefined;
      return {
        id: line.id,
        variantId: line.variantId,
        quantity: line.quantity,
        status,
        variant,
        unitPrice: variant?.unitPrice ?? 0,
        lineTotal: amounts?.lineTotal ?? 0,
        discount: amounts?.discount ?? 0,
        vat: amounts?.vat ?? 0,
        vatRateBasisPoints: variant?.vatRateBasisPoints ?? 0,
      };
    });

    return {
      currency: 'EUR',
      lines: pricedLines,
      itemCount: priceable.reduce((sum, l) => sum + l.line.quantity, 0),
      subtotal: totals.subtotal,
      discount: totals.discount,
      shipping: shippingMethod ? totals.shipping : null,
      total: totals.total,
      vat: totals.vat,
      vatTotal: totals.vatTotal,
      coupon: attached
        ? {
            id: attached.record.id,
            codeHint: attached.record.codeHint,
            status: !attached.usable
              ? 'not-applicable'
              : totals.discountApplied
                ? 'applied'
                : 'minimum-not-reached',
            minimumSubtotal: attached.record.minSubtotal,
          }
        : null,
      shippingMethod,
      shippingMethods,
      checkoutReady: lines.length > 0 && priceable.length === lines.length,
    };
  }
}
