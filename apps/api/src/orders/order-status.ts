import { ORDER_STATUSES, type OrderStatus } from '@storefront/contracts';
import { DomainError } from '../core/errors/domain-error';

/**
 * The order state machine: every status and the statuses it may move to, nothing else.
 *
 * ```
 * pending_payment ─▶ paid ─▶ fulfilled ─▶ shipped ─▶ delivered
 *        │             └────────┴────────────┴──────────┴─▶ partially_refunded ─▶ refunded
 *        └─▶ cancelled                                    └──────────────────────▶ refunded
 * ```
 *
 * `pending_payment` ends paid (a verified payment event) or cancelled (payment cancelled, or the
 * reservation expired); only a paid order is fulfilled, shipped and delivered; refunds follow a
 * payment; `cancelled` and `refunded` are final. A partially refunded order may still be
 * fulfilled, shipped and delivered (the rest of it).
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending_payment: ['paid', 'cancelled'],
  paid: ['fulfilled', 'partially_refunded', 'refunded'],
  fulfilled: ['shipped', 'partially_refunded', 'refunded'],
  shipped: ['delivered', 'partially_refunded', 'refunded'],
  delivered: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  cancelled: [],
  refunded: [],
};

/** Whether an order in `from` may move to `to`. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

/** Throws `ORDER_STATE_CONFLICT` (409) unless `from` → `to` is in {@link ORDER_TRANSITIONS}. */
export function assertTransition(from: OrderStatus, to: OrderStatus): void {
  if (!canTransition(from, to)) {
    throw new DomainError('ORDER_STATE_CONFLICT', `order cannot move from ${from} to ${to}`);
  }
}

/** Whether a database value is a known status. */
export function isOrderStatus(value: string): value is OrderStatus {
  return (ORDER_STATUSES as readonly string[]).includes(value);
}
