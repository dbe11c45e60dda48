import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/** A coupon as pricing and redemption need it (never the code: only its digest is stored). */
export interface CouponRecord {
  id: string;
  codeHint: string;
  discountKind: 'percent' | 'fixed';
  discountValue: number;
  minSubtotal: number;
  maxRedemptions: number | null;
  maxRedemptionsPerCustomer: number | null;
  redemptionCount: number;
  /** Active and inside its validity window by the database clock, now. */
  live: boolean;
  /** Redemptions left under the per-code limit (or no limit). */
  available: boolean;
}

/** The fields of a new coupon. */
export interface NewCoupon {
  codeDigest: Buffer;
  codeHint: string;
  discountKind: 'percent' | 'fixed';
  discountValue: number;
  minSubtotal: number;
  validFrom: Date;
  validUntil: Date;
  maxRedemptions: number | null;
  maxRedemptionsPerCustomer: number | null;
}

interface CouponRow {
  id: string;
  code_hint: string;
  discount_kind: 'percent' | 'fixed';
  discount_value: number;
  min_subtotal: number;
  max_redemptions: number | null;
  max_redemptions_per_customer: number | null;
  redemption_count: number;
  live: boolean;
  available: boolean;
}

/*
 * Validity is decided by PostgreSQL's clock (`now()`, the transaction's start), never the
 * client's nor this process's: every instance agrees, and no request field can move it.
 */
const COUPON_COLUMNS = `
  id, code_hint, discount_kind, discount_value, min_subtotal, max_redemptions,
  max_redemptions_per_customer, redemption_count,
  (status = 'active' AND valid_from <= now() AND now() < valid_until) AS live,
  (max_redemptions IS NULL OR redemption_count < max_redemptions) AS available`;

const SELECT_BY_DIGEST = `SELECT ${COUPON_COLUMNS} FROM coupons WHERE code_hash = $1`;
const SELECT_BY_ID = `SELECT ${COUPON_COLUMNS} FROM coupons WHERE id = $1`;
const LOCK_BY_ID = `SELECT ${COUPON_COLUMNS} FROM coupons WHERE id = $1 FOR UPDATE`;

function toRecord(row: CouponRow): CouponRecord {
  return {
    id: row.id,
    codeHint: row.code_hint,
    discountKind: row.discount_kind,
    discountValue: row.discount_value,
    minSubtotal: row.min_subtotal,
    maxRedemptions: row.max_redemptions,
    maxRedemptionsPerCustomer: row.max_redemptions_per_customer,
    redemptionCount: row.redemption_count,
    live: row.live,
    available: row.available,
  };
}

/** Data access of coupons and their redemptions. Parameterised SQL only. */
@Injectable()
export class CouponsRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  private managerOf(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  async findByDigest(digest: Buffer, manager?: EntityManager): Promise<CouponRecord | null> {
    const rows = await this.managerOf(manager).query<CouponRow[]>(SELECT_BY_DIGEST, [digest]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async findById(id: string, manager?: EntityManager): Promise<CouponRecord | null> {
    const rows = await this.managerOf(manager).query<CouponRow[]>(SELECT_BY_ID, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /**
   * The coupon, its row locked until the end of `manager`'s transaction: redemptions of one
   * coupon run one after the other, each seeing the counts the previous one committed.
   */
  async lockById(manager: EntityManager, id: string): Promise<CouponRecord | null> {
    const rows = await manager.query<CouponRow[]>(LOCK_BY_ID, [id]);
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Redemptions of a coupon by one customer that still count (not released). */
  async activeRedemptionsOf(
    couponId: string,
    customerRef: string,
    manager?: EntityManager,
  ): Promise<number> {
    const rows = await this.managerOf(manager).query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM coupon_redemptions
        WHERE coupon_id = $1 AND customer_ref = $2 AND released_at IS NULL`,
      [couponId, customerRef],
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Counts one use and records it. The `UPDATE` is conditional on the per-code limit as well (and
   * a `CHECK` forbids exceeding it), so even a caller that skipped the lock could not oversell.
   * Returns the redemption id, or null when the limit was reached.
   */
  async recordRedemption(
    manager: EntityManager,
    couponId: string,
    customerRef: string,
    orderId: string | null,
  ): Promise<string | null> {
    const rows = await manager.query<{ id: string }[]>(
      `WITH counted AS (
         UPDATE coupons SET redemption_count = redemption_count + 1
          WHERE id = $1 AND (max_redemptions IS NULL OR redemption_count < max_redemptions)
          RETURNING id
       )
       INSERT INTO coupon_redemptions (coupon_id, customer_ref, order_id)
       SELECT id, $2, $3 FROM counted
       RETURNING id`,
      [couponId, customerRef, orderId],
    );
    return rows[0]?.id ?? null;
  }

  /** Marks a redemption released and gives the use back; false if it was not active. */
  async releaseRedemption(manager: EntityManager, redemptionId: string): Promise<boolean> {
    const rows = await manager.query<{ id: string }[]>(
      `WITH released AS (
         UPDATE coupon_redemptions SET released_at = now()
          WHERE id = $1 AND released_at IS NULL
          RETURNING coupon_id
       ), given_back AS (
         UPDATE coupons SET redemption_count = redemption_count - 1
           FROM released WHERE coupons.id = released.coupon_id
         RETURNING coupons.id
       )
       SELECT id FROM given_back`,
      [redemptionId],
    );
    return rows.length > 0;
  }

  /** Inserts a coupon (in `manager`'s transaction when given); returns its id. */
  async insert(coupon: NewCoupon, manager?: EntityManager): Promise<string> {
    const rows = await this.managerOf(manager).query<{ id: string }[]>(
      `INSERT INTO coupons (code_hash, code_hint, discount_kind, discount_value, min_subtotal,
                            valid_from, valid_until, max_redemptions, max_redemptions_per_customer)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       RETURNING id`,
      [
        coupon.codeDigest,
        coupon.codeHint,
        coupon.discountKind,
        coupon.discountValue,
        coupon.minSubtotal,
        coupon.validFrom,
        coupon.validUntil,
        coupon.maxRedemptions,
        coupon.maxRedemptionsPerCustomer,
      ],
    );
    const id = rows[0]?.id;
    if (!id) throw new Error('coupon insert returned no id');
    return id;
  }
}
