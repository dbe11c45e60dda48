import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/** A cart row: whose it is and what was chosen (never prices: those come from the catalogue). */
export interface CartRecord {
  id: string;
  /** The customer's account; null for a guest cart (owned by the session that holds its id). */
  userId: string | null;
  couponId: string | null;
  shippingMethodCode: string | null;
}

/** A line: a variant and a quantity. */
export interface CartLineRecord {
  id: string;
  variantId: string;
  quantity: number;
}

interface CartRow {
  id: string;
  user_id: string | null;
  coupon_id: string | null;
  shipping_method_code: string | null;
}

const CART_COLUMNS = 'id, user_id, coupon_id, shipping_method_code';
// Composed from constants only (no input): the queries below stay fully parameterised.
const SELECT_GUEST_CART = `SELECT ${CART_COLUMNS} FROM carts WHERE id = $1 AND user_id IS NULL`;
const SELECT_CUSTOMER_CART = `SELECT ${CART_COLUMNS} FROM carts WHERE user_id = $1`;
const LOCK_CART = `SELECT ${CART_COLUMNS} FROM carts WHERE id = $1 FOR UPDATE`;

function toCart(row: CartRow | undefined): CartRecord | null {
  return row
    ? {
        id: row.id,
        userId: row.user_id,
        couponId: row.coupon_id,
        shippingMethodCode: row.shipping_method_code,
      }
    : null;
}

/**
 * Data access of carts. A cart is only ever found through its owner — the customer's account id,
 * or a guest cart id read from the caller's server-side session (`user_id IS NULL`) — and every
 * line query takes the cart id found that way, so a line of someone else's cart is simply not
 * found. Parameterised SQL only.
 */
@Injectable()
export class CartsRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  private managerOf(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  /** Runs `work` in a transaction. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** The guest cart with this id (never a customer's cart). */
  async findGuestCart(cartId: string, manager?: EntityManager): Promise<CartRecord | null> {
    const rows = await this.managerOf(manager).query<CartRow[]>(SELECT_GUEST_CART, [cartId]);
    return toCart(rows[0]);
  }

  /** The customer's cart, if any. */
  async findCustomerCart(userId: string, manager?: EntityManager): Promise<CartRecord | null> {
    const rows = await this.managerOf(manager).query<CartRow[]>(SELECT_CUSTOMER_CART, [userId]);
    return toCart(rows[0]);
  }

  /** Creates an empty guest cart; returns its id. */
  async createGuestCart(): Promise<string> {
    const id = randomUUID();
    await this.dataSource.query(`INSERT INTO carts (id, user_id) VALUES ($1, NULL)`, [id]);
    return id;
  }

  /** The customer's cart, created if missing (at most one per account, even under races). */
  async ensureCustomerCart(userId: string, manager?: EntityManager): Promise<CartRecord> {
    const m = this.managerOf(manager);
    await m.query(
      `INSERT INTO carts (id, user_id) VALUES ($1, $2)
       ON CONFLICT (user_id) WHERE user_id IS NOT NULL DO NOTHING`,
      [randomUUID(), userId],
    );
    const cart = await this.findCustomerCart(userId, m);
    if (!cart) throw new Error('customer cart vanished after its creation');
    return cart;
  }

  /**
   * Locks a cart row until the end of the transaction: writes to one cart run one at a time, so
   * a line count or a quantity read in the transaction stays true until it commits.
   */
  async lock(manager: EntityManager, cartId: string): Promise<CartRecord | null> {
    const rows = await manager.query<CartRow[]>(LOCK_CART, [cartId]);
    return toCart(rows[0]);
  }

  /** The cart's lines, oldest first. */
  async lines(cartId: string, manager?: EntityManager): Promise<CartLineRecord[]> {
    const rows = await this.managerOf(manager).query<
      { id: string; variant_id: string; quantity: number }[]
    >(
      `SELECT id, variant_id, quantity FROM cart_lines WHERE cart_id = $1 ORDER BY created_at, id`,
      [cartId],
    );
    return rows.map((r) => ({ id: r.id, variantId: r.variant_id, quantity: r.quantity }));
  }

  /** Inserts a line or sets the quantity of the cart's line for that variant. */
  async upsertLine(
    manager: EntityManager,
    cartId: string,
    variantId: string,
    quantity: number,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO cart_lines (id, cart_id, variant_id, quantity) VALUES ($1, $2, $3, $4)
       ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = EXCLUDED.quantity`,
      [randomUUID(), cartId, variantId, quantity],
    );
  }

  /** Sets the quantity of one line of this cart; false when the cart has no such line. */
  async setLineQuantity(
    manager: EntityManager,
    cartId: string,
    lineId: string,
    quantity: number,
  ): Promise<boolean> {
    const rows = await manager.query<{ id: string }[]>(
      `WITH changed AS (
         UPDATE cart_lines SET quantity = $3 WHERE id = $2 AND cart_id = $1 RETURNING id
       ) SELECT id FROM changed`,
      [cartId, lineId, quantity],
    );
    return rows.length === 1;
  }

  /** Deletes one line of this cart; false when the cart has no such line. */
  async deleteLine(cartId: string, lineId: string): Promise<boolean> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `WITH deleted AS (
         DELETE FROM cart_lines WHERE id = $2 AND cart_id = $1 RETURNING id
       ) SELECT id FROM deleted`,
      [cartId, lineId],
    );
    return rows.length === 1;
  }

  /** Empties the cart (its lines and coupon) once checkout has turned it into an order. */
  async clear(manager: EntityManager, cartId: string): Promise<void> {
    await manager.query(`DELETE FROM cart_lines WHERE cart_id = $1`, [cartId]);
    await manager.query(`UPDATE carts SET coupon_id = NULL, updated_at = now() WHERE id = $1`, [
      cartId,
    ]);
  }

  /** Attaches a coupon to the cart (or detaches it with null). */
  async setCoupon(cartId: string, couponId: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE carts SET coupon_id = $2, updated_at = now() WHERE id = $1`,
      [cartId, couponId],
    );
  }

  /** Records the chosen shipping method. */
  async setShippingMethod(cartId: string, code: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE carts SET shipping_method_code = $2, updated_at = now() WHERE id = $1`,
      [cartId, code],
    );
  }

  /** Marks the cart as used now (abandoned guest carts are found by this date). */
  async touch(manager: EntityManager, cartId: string): Promise<void> {
    await manager.query(`UPDATE carts SET updated_at = now() WHERE id = $1`, [cartId]);
  }

  /**
   * Moves every line of the guest cart into the customer's cart: a variant in both carts gets the
   * sum of the quantities, capped at `maxQuantity`; the customer's coupon and shipping method are
   * kept, the guest's taken when the customer had none; then the guest cart is deleted. Both carts
   * must be locked by the caller's transaction.
   */
  async mergeInto(
    manager: EntityManager,
    guestCartId: string,
    customerCartId: string,
    maxQuantity: number,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO cart_lines (id, cart_id, variant_id, quantity, created_at)
       SELECT gen_random_uuid(), $2, variant_id, LEAST(quantity, $3), created_at
         FROM cart_lines WHERE cart_id = $1
       ON CONFLICT (cart_id, variant_id)
       DO UPDATE SET quantity = LEAST(cart_lines.quantity + EXCLUDED.quantity, $3)`,
      [guestCartId, customerCartId, maxQuantity],
    );
    await manager.query(
      `UPDATE carts SET coupon_id = COALESCE(carts.coupon_id, guest.coupon_id),
              shipping_method_code = COALESCE(carts.shipping_method_code, guest.shipping_method_code),
              updated_at = now()
         FROM carts guest
        WHERE carts.id = $2 AND guest.id = $1`,
      [guestCartId, customerCartId],
    );
    await manager.query(`DELETE FROM carts WHERE id = $1 AND user_id IS NULL`, [guestCartId]);
  }

  /**
   * Deletes guest carts untouched for `olderThanDays` (their sessions ended long ago: a session
   * lives at most `SESSION_ABSOLUTE_TIMEOUT_SECONDS`). For a periodic job; returns the count.
   */
  async purgeAbandonedGuestCarts(olderThanDays: number): Promise<number> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `WITH purged AS (
         DELETE FROM carts WHERE user_id IS NULL AND updated_at < now() - make_interval(days => $1)
         RETURNING id
       ) SELECT id FROM purged`,
      [olderThanDays],
    );
    return rows.length;
  }
}
