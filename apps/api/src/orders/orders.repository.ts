import { Inject, Injectable } from '@nestjs/common';
import type { OrderStatus } from '@storefront/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { DomainError } from '../core/errors/domain-error';
import { assertTransition, isOrderStatus } from './order-status';

/**
 * The FieldCipher contexts of an order's sealed columns (bound to the order's id; registered for
 * re-encryption in `privacy/encryption/sealed-columns.catalogue.ts`).
 */
export const ORDER_SEALED = {
  shippingAddress: (orderId: string) => ({
    table: 'orders',
    column: 'shipping_address',
    rowId: orderId,
  }),
  guestEmail: (orderId: string) => ({ table: 'orders', column: 'guest_email', rowId: orderId }),
} as const;

/** An order row, as the orders context reads it. */
export interface OrderRecord {
  id: string;
  number: string;
  userId: string | null;
  guestEmailSealed: string | null;
  cartId: string;
  locale: 'en' | 'fr';
  currency: 'EUR';
  subtotal: number;
  discount: number;
  shipping: number;
  vat: number;
  total: number;
  shippingMethodCode: string;
  couponRedemptionId: string | null;
  status: OrderStatus;
  paymentIntentId: string | null;
  reservationExpiresAt: Date;
  createdAt: Date;
}

/** A line of an order, priced at checkout. */
export interface OrderLineRecord {
  variantId: string;
  productName: string;
  sku: string;
  unitPrice: number;
  quantity: number;
  lineTotal: number;
  discount: number;
  vatRateBasisPoints: number;
  vatAmount: number;
}

/** What a new order is written with (every amount from the priced cart). */
export interface NewOrder extends Omit<OrderRecord, 'status' | 'paymentIntentId' | 'createdAt'> {
  guestEmailIndex: string | null;
  shippingAddressSealed: string;
  lines: OrderLineRecord[];
}

interface OrderRow {
  id: string;
  number: string;
  user_id: string | null;
  guest_email_sealed: string | null;
  cart_id: string;
  locale: 'en' | 'fr';
  currency: 'EUR';
  subtotal_amount: number;
  discount_amount: number;
  shipping_amount: number;
  vat_amount: number;
  total_amount: number;
  shipping_method_code: string;
  coupon_redemption_id: string | null;
  status: string;
  payment_intent_id: string | null;
  reservation_expires_at: Date;
  created_at: Date;
}

const ORDER_COLUMNS = `id, number, user_id, guest_email_sealed, cart_id, locale, currency,
  subtotal_amount, discount_amount, shipping_amount, vat_amount, total_amount, shipping_method_code,
  coupon_redemption_id, status, payment_intent_id, reservation_expires_at, created_at`;

// Composed from constants only (no input): the queries below stay fully parameterised.
const SELECT_BY_CHECKOUT_KEY = `SELECT ${ORDER_COLUMNS} FROM orders WHERE cart_id = $1 AND checkout_key = $2`;
const LOCK_ORDER = `SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1 FOR UPDATE`;
const SELECT_ORDER = `SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`;
const SELECT_GUEST_ORDER_OF_CART = `SELECT ${ORDER_COLUMNS} FROM orders
  WHERE id = $1 AND cart_id = $2 AND user_id IS NULL`;

function toOrder(row: OrderRow | undefined): OrderRecord | null {
  if (!row) return null;
  if (!isOrderStatus(row.status)) throw new Error(`unknown order status in the database`);
  return {
    id: row.id,
    number: row.number,
    userId: row.user_id,
    guestEmailSealed: row.guest_email_sealed,
    cartId: row.cart_id,
    locale: row.locale,
    currency: row.currency,
    subtotal: row.subtotal_amount,
    discount: row.discount_amount,
    shipping: row.shipping_amount,
    vat: row.vat_amount,
    total: row.total_amount,
    shippingMethodCode: row.shipping_method_code,
    couponRedemptionId: row.coupon_redemption_id,
    status: row.status,
    paymentIntentId: row.payment_intent_id,
    reservationExpiresAt: row.reservation_expires_at,
    createdAt: row.created_at,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An order in a list. */
export interface OrderSummaryRecord {
  id: string;
  number: string;
  status: OrderStatus;
  currency: 'EUR';
  total: number;
  itemCount: number;
  createdAt: Date;
}

interface OrderSummaryRow {
  id: string;
  number: string;
  status: string;
  currency: 'EUR';
  total_amount: number;
  item_count: number;
  created_at: Date;
}

const SUMMARY_COLUMNS = `o.id, o.number, o.status, o.currency, o.total_amount, o.created_at,
  (SELECT coalesce(sum(l.quantity), 0)::int FROM order_lines l WHERE l.order_id = o.id) AS item_count`;
// Composed from constants only (no input): the queries stay fully parameterised.
const LIST_OF_USER = `SELECT ${SUMMARY_COLUMNS} FROM orders o WHERE o.user_id = $1
  ORDER BY o.created_at DESC, o.id DESC LIMIT $2`;
const LIST_ALL = `SELECT ${SUMMARY_COLUMNS} FROM orders o
  WHERE ($1::varchar IS NULL OR o.status = $1::varchar)
  ORDER BY o.created_at DESC, o.id DESC LIMIT $2`;

function toSummary(row: OrderSummaryRow): OrderSummaryRecord {
  if (!isOrderStatus(row.status)) throw new Error(`unknown order status in the database`);
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    currency: row.currency,
    total: row.total_amount,
    itemCount: row.item_count,
    createdAt: row.created_at,
  };
}

/** Whether `value` has the shape of an order id (checked before it reaches a `uuid` column). */
export function isOrderId(value: string): boolean {
  return UUID.test(value);
}

/**
 * Data access of orders. Parameterised SQL only. Status changes go through {@link setStatus},
 * which checks the transition table and is itself conditional on the status read, so two
 * concurrent changes cannot both apply.
 */
@Injectable()
export class OrdersRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  private managerOf(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  /** Runs `work` in a transaction. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** The order a checkout attempt made from this cart, if any. */
  async findByCheckoutKey(
    cartId: string,
    checkoutKey: string,
    manager?: EntityManager,
  ): Promise<OrderRecord | null> {
    const rows = await this.managerOf(manager).query<OrderRow[]>(SELECT_BY_CHECKOUT_KEY, [
      cartId,
      checkoutKey,
    ]);
    return toOrder(rows[0]);
  }

  /** The order, locked until the end of the caller's transaction; null when there is none. */
  async lock(manager: EntityManager, orderId: string): Promise<OrderRecord | null> {
    if (!isOrderId(orderId)) return null;
    const rows = await manager.query<OrderRow[]>(LOCK_ORDER, [orderId]);
    return toOrder(rows[0]);
  }

  /** The order by id (no lock). */
  async find(orderId: string, manager?: EntityManager): Promise<OrderRecord | null> {
    if (!isOrderId(orderId)) return null;
    const rows = await this.managerOf(manager).query<OrderRow[]>(SELECT_ORDER, [orderId]);
    return toOrder(rows[0]);
  }

  /** A guest order placed from the guest cart `cartId`; null for any other order. */
  async findGuestOrderOfCart(cartId: string, orderId: string): Promise<OrderRecord | null> {
    if (!isOrderId(orderId)) return null;
    const rows = await this.dataSource.query<OrderRow[]>(SELECT_GUEST_ORDER_OF_CART, [
      orderId,
      cartId,
    ]);
    return toOrder(rows[0]);
  }

  /** The order's lines, in cart order. */
  async lines(orderId: string, manager?: EntityManager): Promise<OrderLineRecord[]> {
    const rows = await this.managerOf(manager).query<
      {
        variant_id: string;
        product_name: string;
        sku: string;
        unit_price: number;
        quantity: number;
        line_total: number;
        discount: number;
        vat_rate_bp: number;
        vat_amount: number;
      }[]
    >(
      `SELECT variant_id, product_name, sku, unit_price, quantity, line_total, discount,
              vat_rate_bp, vat_amount
         FROM order_lines WHERE order_id = $1 ORDER BY position`,
      [orderId],
    );
    return rows.map((r) => ({
      variantId: r.variant_id,
      productName: r.product_name,
      sku: r.sku,
      unitPrice: r.unit_price,
      quantity: r.quantity,
      lineTotal: r.line_total,
      discount: r.discount,
      vatRateBasisPoints: r.vat_rate_bp,
      vatAmount: r.vat_amount,
    }));
  }

  /** Writes a new order (status `pending_payment`) and its lines in the caller's transaction. */
  async insert(manager: EntityManager, order: NewOrder, checkoutKey: string): Promise<void> {
    await manager.query(
      `INSERT INTO orders (id, number, user_id, guest_email_sealed, guest_email_index, cart_id,
         checkout_key, locale, currency, subtotal_amount, discount_amount, shipping_amount,
         vat_amount, total_amount, shipping_method_code, shipping_address_sealed,
         coupon_redemption_id, reservation_expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
      [
        order.id,
        order.number,
        order.userId,
        order.guestEmailSealed,
        order.guestEmailIndex,
        order.cartId,
        checkoutKey,
        order.locale,
        order.currency,
        order.subtotal,
        order.discount,
        order.shipping,
        order.vat,
        order.total,
        order.shippingMethodCode,
        order.shippingAddressSealed,
        order.couponRedemptionId,
        order.reservationExpiresAt,
      ],
    );
    for (const [position, line] of order.lines.entries()) {
      await manager.query(
        `INSERT INTO order_lines (order_id, position, variant_id, product_name, sku, unit_price,
           quantity, line_total, discount, vat_rate_bp, vat_amount)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          order.id,
          position,
          line.variantId,
          line.productName,
          line.sku,
          line.unitPrice,
          line.quantity,
          line.lineTotal,
          line.discount,
          line.vatRateBasisPoints,
          line.vatAmount,
        ],
      );
    }
  }

  /** Links the coupon redemption made for the order. */
  async setCouponRedemption(
    manager: EntityManager,
    orderId: string,
    redemptionId: string,
  ): Promise<void> {
    await manager.query(`UPDATE orders SET coupon_redemption_id = $2 WHERE id = $1`, [
      orderId,
      redemptionId,
    ]);
  }

  /**
   * Records the order's PaymentIntent. Only the first one sticks (a retry that got the same
   * intent back from the idempotency key changes nothing); false when another is recorded.
   */
  async setPaymentIntent(orderId: string, paymentIntentId: string): Promise<boolean> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `WITH changed AS (
         UPDATE orders SET payment_intent_id = $2, updated_at = now()
          WHERE id = $1 AND (payment_intent_id IS NULL OR payment_intent_id = $2) RETURNING id
       ) SELECT id FROM changed`,
      [orderId, paymentIntentId],
    );
    return rows.length === 1;
  }

  /**
   * Moves the order from `from` to `to`: throws `ORDER_STATE_CONFLICT` when the transition table
   * forbids it or when the order is no longer in `from` (lock the order first to avoid the latter).
   */
  async setStatus(
    manager: EntityManager,
    orderId: string,
    from: OrderStatus,
    to: OrderStatus,
  ): Promise<void> {
    assertTransition(from, to);
    const rows = await manager.query<{ id: string }[]>(
      `WITH changed AS (
         UPDATE orders SET status = $3::varchar, updated_at = now(),
                paid_at = CASE WHEN $3::varchar = 'paid' THEN now() ELSE paid_at END,
                cancelled_at = CASE WHEN $3::varchar = 'cancelled' THEN now() ELSE cancelled_at END
          WHERE id = $1 AND status = $2::varchar RETURNING id
       ) SELECT id FROM changed`,
      [orderId, from, to],
    );
    if (rows.length !== 1) {
      throw new DomainError('ORDER_STATE_CONFLICT');
    }
  }

  /** The customer's newest orders. */
  async listOfUser(userId: string, limit: number): Promise<OrderSummaryRecord[]> {
    const rows = await this.dataSource.query<OrderSummaryRow[]>(LIST_OF_USER, [userId, limit]);
    return rows.map(toSummary);
  }

  /** The newest orders of the shop, optionally of one status (staff). */
  async listAll(status: OrderStatus | null, limit: number): Promise<OrderSummaryRecord[]> {
    const rows = await this.dataSource.query<OrderSummaryRow[]>(LIST_ALL, [status, limit]);
    return rows.map(toSummary);
  }

  /** The order a live guest link digest opens, if any (PostgreSQL's clock decides expiry). */
  async findByGuestAccess(digest: Buffer): Promise<OrderRecord | null> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `SELECT id FROM orders WHERE guest_access_hash = $1 AND guest_access_expires_at > now()`,
      [digest],
    );
    return rows[0] ? this.find(rows[0].id) : null;
  }

  /** The sealed shipping address of an order. */
  async sealedShippingAddress(orderId: string): Promise<string | null> {
    const rows = await this.dataSource.query<{ shipping_address_sealed: string }[]>(
      `SELECT shipping_address_sealed FROM orders WHERE id = $1`,
      [orderId],
    );
    return rows[0]?.shipping_address_sealed ?? null;
  }

  /**
   * Pending orders holding a PaymentIntent and older than `olderThanSeconds` (PostgreSQL's clock):
   * the candidates of reconciliation (a webhook lost, or a crash between the provider and us).
   */
  async pendingWithIntent(
    olderThanSeconds: number,
    limit: number,
  ): Promise<{ id: string; paymentIntentId: string }[]> {
    const rows = await this.dataSource.query<{ id: string; payment_intent_id: string }[]>(
      `SELECT id, payment_intent_id FROM orders
        WHERE status = 'pending_payment' AND payment_intent_id IS NOT NULL
          AND created_at <= now() - make_interval(secs => $1)
        ORDER BY created_at LIMIT $2`,
      [olderThanSeconds, limit],
    );
    return rows.map((r) => ({ id: r.id, paymentIntentId: r.payment_intent_id }));
  }

  /** Ids of pending orders whose reservation has expired (by PostgreSQL's clock), oldest first. */
  async expiredPendingOrders(
    limit: number,
  ): Promise<{ id: string; paymentIntentId: string | null }[]> {
    const rows = await this.dataSource.query<{ id: string; payment_intent_id: string | null }[]>(
      `SELECT id, payment_intent_id FROM orders
        WHERE status = 'pending_payment' AND reservation_expires_at <= now()
        ORDER BY reservation_expires_at LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ id: r.id, paymentIntentId: r.payment_intent_id }));
  }
}
