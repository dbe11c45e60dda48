import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * Stock reservations. Reserving takes the units off `product_variant.stock` at once, with an
 * `UPDATE … WHERE stock >= $q` that is atomic per row: concurrent checkouts queue on the variant's
 * row lock and each sees the stock the previous one left, so no more units are reserved than exist
 * and stock never goes negative (the table's `CHECK (stock >= 0)` backs it). The cart and the
 * catalogue read the same column, so reserved units are unavailable to others with no extra
 * arithmetic anywhere. A reservation is then `committed` (paid: the units are sold) or `released`
 * (expired, failed, cancelled: the units go back to the stock), each exactly once.
 */
@Injectable()
export class StockReservationsRepository {
  /**
   * Takes `quantity` units of the variant for the order, in the caller's transaction. False when
   * the variant has fewer units (or is gone): nothing is changed then, and the caller rolls back.
   */
  async reserve(
    manager: EntityManager,
    reservation: { orderId: string; variantId: string; quantity: number; expiresAt: Date },
  ): Promise<boolean> {
    const taken = await manager.query<{ id: string }[]>(
      `WITH taken AS (
         UPDATE product_variant SET stock = stock - $2, updated_at = now()
          WHERE id = $1 AND stock >= $2 RETURNING id
       ) SELECT id FROM taken`,
      [reservation.variantId, reservation.quantity],
    );
    if (taken.length !== 1) return false;
    await manager.query(
      `INSERT INTO stock_reservations (order_id, variant_id, quantity, expires_at)
       VALUES ($1, $2, $3, $4)`,
      [reservation.orderId, reservation.variantId, reservation.quantity, reservation.expiresAt],
    );
    return true;
  }

  /** Marks the order's held reservations as sold (payment succeeded). Returns how many. */
  async commit(manager: EntityManager, orderId: string): Promise<number> {
    const rows = await manager.query<{ id: string }[]>(
      `WITH committed AS (
         UPDATE stock_reservations SET status = 'committed', settled_at = now()
          WHERE order_id = $1 AND status = 'held' RETURNING id
       ) SELECT id FROM committed`,
      [orderId],
    );
    return rows.length;
  }

  /**
   * Gives the order's held units back to the stock (expiry, failure, cancellation). Only `held`
   * rows are released, in one statement, so a release that runs twice gives back nothing more.
   */
  async release(manager: EntityManager, orderId: string): Promise<number> {
    const rows = await manager.query<{ id: string }[]>(
      `WITH released AS (
         UPDATE stock_reservations SET status = 'released', settled_at = now()
          WHERE order_id = $1 AND status = 'held' RETURNING variant_id, quantity
       ), restocked AS (
         UPDATE product_variant v SET stock = v.stock + r.quantity, updated_at = now()
           FROM released r WHERE v.id = r.variant_id RETURNING v.id
       ) SELECT id FROM restocked`,
      [orderId],
    );
    return rows.length;
  }
}
