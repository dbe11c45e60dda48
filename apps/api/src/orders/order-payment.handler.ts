import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CouponsService } from '../coupons/coupons.service';
import { MailOutbox } from '../mail/mail-outbox.service';
import type {
  ExpectedPayment,
  PaymentEventHandler,
  PaymentEventHandling,
  VerifiedPaymentEvent,
} from '../payments/payment-event';
import { FIELD_CIPHER, type FieldCipher } from '../privacy/encryption/field-cipher';
import { ORDER_SEALED, OrdersRepository, type OrderRecord } from './orders.repository';
import { StockReservationsRepository } from './stock-reservations.repository';

/**
 * The orders side of the payments port (`PAYMENT_EVENT_HANDLER`). Runs inside the transaction that
 * records the event, with the order row locked by {@link expectedPayment}, so an event takes
 * effect exactly once: a second delivery, or a second `succeeded` event, finds the order paid and
 * changes nothing. It acts on the PaymentIntent's status as just re-read from the provider:
 *
 * - `succeeded`: a pending order becomes `paid`, its reservations `committed`, and its
 *   confirmation email is queued in the outbox — all in the event's transaction.
 * - `canceled`: a pending order is cancelled, its stock given back, its coupon use released.
 * - anything else (a declined attempt, 3-D Secure pending): nothing. The customer may try another
 *   card on the same intent until the reservation expires; then the sweeper cancels the intent
 *   first and the order after, so an order is never cancelled while its intent can still be paid.
 *
 * The browser's return from the payment page changes nothing: only this handler marks an order
 * paid, and only for an intent the provider confirms.
 */
@Injectable()
export class OrderPaymentHandler implements PaymentEventHandler {
  private readonly logger = new Logger('Orders');

  constructor(
    @Inject(OrdersRepository) private readonly orders: OrdersRepository,
    @Inject(StockReservationsRepository) private readonly stock: StockReservationsRepository,
    @Inject(CouponsService) private readonly coupons: CouponsService,
    @Inject(MailOutbox) private readonly mail: MailOutbox,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
  ) {}

  async expectedPayment(orderId: string, manager: EntityManager): Promise<ExpectedPayment | null> {
    const order = await this.orders.lock(manager, orderId);
    if (!order) return null;
    return {
      orderId: order.id,
      amount: order.total,
      currency: order.currency,
      paymentIntentId: order.paymentIntentId,
    };
  }

  async handle(event: VerifiedPaymentEvent, manager: EntityManager): Promise<PaymentEventHandling> {
    const order = await this.orders.lock(manager, event.expected.orderId);
    if (!order) return 'ignored';
    switch (event.intent.status) {
      case 'succeeded':
        return this.paid(manager, order);
      case 'canceled':
        if (order.status !== 'pending_payment') return 'ignored';
        await cancelOrder(manager, order, this.orders, this.stock, this.coupons);
        return 'processed';
      default:
        return 'ignored';
    }
  }

  private async paid(manager: EntityManager, order: OrderRecord): Promise<PaymentEventHandling> {
    if (order.status !== 'pending_payment') {
      if (order.status === 'cancelled') {
        // Only possible if the intent was paid after the sweeper failed to cancel it: the money
        // must go back (reconciliation/refund, not automated yet).
        this.logger.error(`order ${order.id} is cancelled but its PaymentIntent succeeded`);
      }
      return 'ignored';
    }
    await this.orders.setStatus(manager, order.id, 'pending_payment', 'paid');
    await this.stock.commit(manager, order.id);
    await this.mail.enqueue(manager, {
      template: 'order-confirmation',
      locale: order.locale,
      to: await this.contactEmail(manager, order),
      params: {
        orderNumber: order.number,
        ...(order.userId === null ? { guestToken: await this.guestAccess(manager, order.id) } : {}),
      },
    });
    return 'processed';
  }

  /**
   * A new order-link token for a guest: 256 random bits, of which only the SHA-256 digest is
   * stored, valid {@link GUEST_ORDER_LINK_DAYS} days. It travels only in the (sealed) email.
   */
  private async guestAccess(manager: EntityManager, orderId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await manager.query(
      `UPDATE orders SET guest_access_hash = $2,
              guest_access_expires_at = now() + make_interval(days => $3)
        WHERE id = $1`,
      [orderId, guestTokenDigest(token), GUEST_ORDER_LINK_DAYS],
    );
    return token;
  }

  /** The address the order's emails go to: the guest's, or the customer account's. */
  private async contactEmail(manager: EntityManager, order: OrderRecord): Promise<string> {
    if (order.guestEmailSealed !== null) {
      return this.cipher.decrypt(order.guestEmailSealed, ORDER_SEALED.guestEmail(order.id));
    }
    const [user] = await manager.query<{ id: string; email_sealed: string }[]>(
      `SELECT id, email_sealed FROM users WHERE id = $1`,
      [order.userId],
    );
    if (!user) throw new Error('the customer of a paid order has no account');
    return this.cipher.decrypt(user.email_sealed, {
      table: 'users',
      column: 'email',
      rowId: user.id,
    });
  }
}

/** How long a guest's order link works. */
export const GUEST_ORDER_LINK_DAYS = 30;

/** The stored digest of a guest order-link token. */
export function guestTokenDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Cancels a pending order in the caller's transaction (the order locked by the caller): status
 * `cancelled`, held stock back, coupon use released.
 */
export async function cancelOrder(
  manager: EntityManager,
  order: OrderRecord,
  orders: OrdersRepository,
  stock: StockReservationsRepository,
  coupons: CouponsService,
): Promise<void> {
  await orders.setStatus(manager, order.id, order.status, 'cancelled');
  await stock.release(manager, order.id);
  if (order.couponRedemptionId !== null) await coupons.release(manager, order.couponRedemptionId);
}
