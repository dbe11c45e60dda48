import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { OrderStatus, Refund } from '@storefront/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditContext } from '../audit/audit-context';
import { SecurityEvents } from '../audit/security-events.service';
import { DomainError } from '../core/errors/domain-error';
import {
  PAYMENT_GATEWAY,
  paymentIdempotencyKey,
  type PaymentGateway,
} from '../payments/payment-gateway';
import { PaymentProviderError } from '../payments/payment-provider.error';
import { OrdersRepository } from './orders.repository';

/** Statuses in which an order holds captured money that may be refunded. */
const REFUNDABLE: readonly OrderStatus[] = [
  'paid',
  'fulfilled',
  'shipped',
  'delivered',
  'partially_refunded',
];

interface RefundRow {
  id: string;
  amount: number;
  status: 'pending' | 'succeeded' | 'failed';
}

/**
 * Refunds by staff (`orders:refund`), never more than was captured:
 *
 * 1. with the order locked: a refund already recorded under this key is taken up again (a double
 *    submit is one refund); otherwise the order must be paid and the amount at most the total less
 *    every pending or succeeded refund, and the refund is recorded `pending` — concurrent refunds
 *    of one order queue on the lock and count each other;
 * 2. the provider refunds with an idempotency key tied to the refund (a retry after a timeout
 *    never refunds twice; a retryable failure leaves it pending for a retry with the same key, a
 *    definitive one marks it failed and frees the amount);
 * 3. with the order locked again: the refund `succeeded`, the order `partially_refunded` or
 *    `refunded`, and the audited `order.refunded` event, in one transaction.
 */
@Injectable()
export class OrderRefunds {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(OrdersRepository) private readonly orders: OrdersRepository,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    @Inject(SecurityEvents) private readonly securityEvents: SecurityEvents,
  ) {}

  async refund(
    ctx: AuditContext,
    staffUserId: string,
    orderId: string,
    request: { amount: number; refundKey: string },
  ): Promise<Refund> {
    const { refund, intentId } = await this.dataSource.transaction(async (manager) => {
      const order = await this.orders.lock(manager, orderId);
      if (!order) throw new DomainError('NOT_FOUND');
      const [existing] = await manager.query<RefundRow[]>(
        `SELECT id, amount, status FROM order_refunds WHERE order_id = $1 AND refund_key = $2`,
        [orderId, request.refundKey],
      );
      if (existing) return { refund: existing, intentId: order.paymentIntentId };
      if (!REFUNDABLE.includes(order.status) || order.paymentIntentId === null) {
        throw new DomainError('REFUND_NOT_ALLOWED');
      }
      const [taken] = await manager.query<{ sum: number }[]>(
        `SELECT coalesce(sum(amount), 0)::int AS sum FROM order_refunds
          WHERE order_id = $1 AND status IN ('pending', 'succeeded')`,
        [orderId],
      );
      if (request.amount > order.total - (taken?.sum ?? 0)) {
        throw new DomainError('REFUND_NOT_ALLOWED');
      }
      const id = randomUUID();
      await manager.query(
        `INSERT INTO order_refunds (id, order_id, refund_key, amount, currency, requested_by)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, orderId, request.refundKey, request.amount, order.currency, staffUserId],
      );
      return {
        refund: { id, amount: request.amount, status: 'pending' as const },
        intentId: order.paymentIntentId,
      };
    });
    if (refund.status !== 'pending' || intentId === null) return this.view(refund);

    let providerRefundId: string;
    try {
      const done = await this.gateway.refund({
        paymentIntentId: intentId,
        orderId,
        amount: refund.amount,
        idempotencyKey: paymentIdempotencyKey('refund', orderId, refund.id),
        reason: 'requested_by_customer',
      });
      if (done.status === 'failed' || done.status === 'canceled') {
        await this.settle(refund.id, 'failed', null);
        throw new DomainError('REFUND_NOT_ALLOWED');
      }
      providerRefundId = done.id;
    } catch (error) {
      if (error instanceof PaymentProviderError && !error.retryable) {
        await this.settle(refund.id, 'failed', null);
      }
      throw error;
    }

    return this.dataSource.transaction(async (manager) => {
      const order = await this.orders.lock(manager, orderId);
      if (!order) throw new DomainError('NOT_FOUND');
      if (!(await this.settle(refund.id, 'succeeded', providerRefundId, manager))) {
        return this.view({ ...refund, status: 'succeeded' }, order.status);
      }
      const [refunded] = await manager.query<{ sum: number }[]>(
        `SELECT coalesce(sum(amount), 0)::int AS sum FROM order_refunds
          WHERE order_id = $1 AND status = 'succeeded'`,
        [orderId],
      );
      const full = (refunded?.sum ?? 0) >= order.total;
      const next: OrderStatus = full ? 'refunded' : 'partially_refunded';
      await this.orders.setStatus(manager, orderId, order.status, next);
      await this.securityEvents.emit(
        ctx,
        {
          name: 'order.refunded',
          target: { type: 'order', id: orderId },
          details: { amount: refund.amount, currency: order.currency, full },
        },
        manager,
      );
      return this.view({ ...refund, status: 'succeeded' }, next);
    });
  }

  /** Moves a pending refund to its outcome; false when it was no longer pending. */
  private async settle(
    refundId: string,
    status: 'succeeded' | 'failed',
    providerRefundId: string | null,
    manager?: EntityManager,
  ): Promise<boolean> {
    const rows = await (manager ?? this.dataSource.manager).query<{ id: string }[]>(
      `WITH settled AS (
         UPDATE order_refunds SET status = $2::varchar, provider_refund_id = $3, settled_at = now()
          WHERE id = $1 AND status = 'pending' RETURNING id
       ) SELECT id FROM settled`,
      [refundId, status, providerRefundId],
    );
    return rows.length === 1;
  }

  private async view(refund: RefundRow, orderStatus?: OrderStatus): Promise<Refund> {
    const status = orderStatus ?? (await this.orders.find(await this.orderOf(refund.id)))?.status;
    if (!status) throw new DomainError('NOT_FOUND');
    return {
      id: refund.id,
      amount: refund.amount,
      currency: 'EUR',
      status: refund.status,
      orderStatus: status,
    };
  }

  private async orderOf(refundId: string): Promise<string> {
    const [row] = await this.dataSource.query<{ order_id: string }[]>(
      `SELECT order_id FROM order_refunds WHERE id = $1`,
      [refundId],
    );
    return row?.order_id ?? '';
  }
}
