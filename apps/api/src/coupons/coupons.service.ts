import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../core/errors/domain-error';
import {
  couponCodeDigest,
  couponCodeHint,
  formatCouponCode,
  generateCouponCode,
  normaliseCouponCode,
} from './coupon-codes';
import { CouponsRepository, type CouponRecord } from './coupons.repository';

/**
 * Who uses a coupon, for per-customer limits: `user:<account id>` for a signed-in customer;
 * `guest:<blind index of the email>` for a guest checkout (the checkout computes the index with
 * `BLIND_INDEX`, purpose `coupon-customer-email`, so the same address counts once however typed).
 */
export type CustomerRef = `user:${string}` | `guest:${string}`;

/** The per-customer key of a signed-in customer. */
export function customerRefOfUser(userId: string): CustomerRef {
  return `user:${userId}`;
}

/** The per-customer key of a guest, from the blind index (base64url) of their email address. */
export function customerRefOfGuest(emailBlindIndex: string): CustomerRef {
  if (!/^[A-Za-z0-9_-]{1,90}$/.test(emailBlindIndex)) {
    throw new Error('a guest customer key is a base64url blind index');
  }
  return `guest:${emailBlindIndex}`;
}

/** What a new coupon gives and under which limits (the code itself is generated). */
export interface CouponTerms {
  discountKind: 'percent' | 'fixed';
  /** Percent 1..100, or an amount in minor units. */
  discountValue: number;
  /** Goods subtotal needed, minor units. */
  minSubtotal: number;
  validFrom: Date;
  validUntil: Date;
  /** Uses of the code in all (null: unlimited). */
  maxRedemptions: number | null;
  /** Uses by one customer (null: unlimited). */
  maxRedemptionsPerCustomer: number | null;
}

/** A coupon attached to a cart, as pricing sees it. */
export interface CouponForPricing {
  record: CouponRecord;
  /** Live, not used up, and (when the customer is known) not used up by this customer. */
  usable: boolean;
}

/**
 * Coupons: creation (the code is shown once and stored only as a digest), lookup of a typed code,
 * and redemption under per-code and per-customer limits that hold under any concurrency.
 *
 * Every refusal of a typed code — malformed, unknown, withdrawn, not yet or no longer valid, used
 * up, used up by this customer — is the same `COUPON_NOT_APPLICABLE`, so answers tell a guesser
 * nothing about which codes exist.
 */
@Injectable()
export class CouponsService {
  constructor(@Inject(CouponsRepository) private readonly coupons: CouponsRepository) {}

  /** Creates a coupon; returns its id and the code, formatted for people (never stored). */
  async create(terms: CouponTerms, manager?: EntityManager): Promise<{ id: string; code: string }> {
    if (
      terms.discountKind === 'percent' &&
      (terms.discountValue < 1 || terms.discountValue > 100)
    ) {
      throw new DomainError('VALIDATION_FAILED', 'A percentage is 1 to 100.');
    }
    const code = generateCouponCode();
    const id = await this.coupons.insert(
      { ...terms, codeDigest: couponCodeDigest(code), codeHint: couponCodeHint(code) },
      manager,
    );
    return { id, code: formatCouponCode(code) };
  }

  /**
   * The coupon a shopper typed, if it can be applied now by `customerRef` (null for a guest, whose
   * per-customer count is only known at checkout). Null for every kind of refusal.
   */
  async findApplicable(
    typed: string,
    customerRef: CustomerRef | null,
  ): Promise<CouponRecord | null> {
    const canonical = normaliseCouponCode(typed);
    if (canonical === null) return null;
    const coupon = await this.coupons.findByDigest(couponCodeDigest(canonical));
    if (!coupon) return null;
    return (await this.isUsable(coupon, customerRef)) ? coupon : null;
  }

  /** The coupon attached to a cart and whether it may apply (null when it no longer exists). */
  async forPricing(
    couponId: string,
    customerRef: CustomerRef | null,
    manager?: EntityManager,
  ): Promise<CouponForPricing | null> {
    const record = await this.coupons.findById(couponId, manager);
    if (!record) return null;
    return { record, usable: await this.isUsable(record, customerRef, manager) };
  }

  private async isUsable(
    coupon: CouponRecord,
    customerRef: CustomerRef | null,
    manager?: EntityManager,
  ): Promise<boolean> {
    if (!coupon.live || !coupon.available) return false;
    if (customerRef === null || coupon.maxRedemptionsPerCustomer === null) return true;
    const used = await this.coupons.activeRedemptionsOf(coupon.id, customerRef, manager);
    return used < coupon.maxRedemptionsPerCustomer;
  }

  /**
   * Redeems a coupon inside the caller's transaction (checkout's), or throws
   * `COUPON_NOT_APPLICABLE` before writing anything. The coupon's row is locked first, so
   * concurrent redemptions of one code queue; each then sees the previous one's committed counts:
   * with a limit of N, exactly N succeed whatever the concurrency, per code and per customer.
   * The lock is held until the caller commits or rolls back — keep the rest of that transaction
   * short. Returns the redemption id (give it to {@link release} if the order fails).
   */
  async redeem(
    manager: EntityManager,
    redemption: { couponId: string; customerRef: CustomerRef; orderId?: string | null },
  ): Promise<string> {
    const coupon = await this.coupons.lockById(manager, redemption.couponId);
    if (!coupon || !coupon.live || !coupon.available) {
      throw new DomainError('COUPON_NOT_APPLICABLE');
    }
    if (coupon.maxRedemptionsPerCustomer !== null) {
      const used = await this.coupons.activeRedemptionsOf(
        coupon.id,
        redemption.customerRef,
        manager,
      );
      if (used >= coupon.maxRedemptionsPerCustomer) throw new DomainError('COUPON_NOT_APPLICABLE');
    }
    const id = await this.coupons.recordRedemption(
      manager,
      coupon.id,
      redemption.customerRef,
      redemption.orderId ?? null,
    );
    if (id === null) throw new DomainError('COUPON_NOT_APPLICABLE');
    return id;
  }

  /**
   * Gives a use back (payment failed, order cancelled): the redemption stays on record, released.
   * False when it was already released or does not exist.
   */
  release(manager: EntityManager, redemptionId: string): Promise<boolean> {
    return this.coupons.releaseRedemption(manager, redemptionId);
  }
}
