import { Inject, Injectable } from '@nestjs/common';
import type { OrderStatusView } from '@storefront/contracts';
import type { AuditContext } from '../audit/audit-context';
import { SecurityEvents } from '../audit/security-events.service';
import { DomainError } from '../core/errors/domain-error';
import { OrdersRepository } from './orders.repository';

/**
 * Staff moving a paid order on (`orders:write`): fulfilled, shipped, delivered. With the order
 * locked, the transition table decides (an unpaid, cancelled or refunded order cannot be
 * fulfilled or shipped: 409 `ORDER_STATE_CONFLICT`, nothing changed), and the change is audited
 * (`order.status.changed`) in the same transaction.
 */
@Injectable()
export class OrderFulfilment {
  constructor(
    @Inject(OrdersRepository) private readonly orders: OrdersRepository,
    @Inject(SecurityEvents) private readonly securityEvents: SecurityEvents,
  ) {}

  async moveTo(
    ctx: AuditContext,
    orderId: string,
    to: 'fulfilled' | 'shipped' | 'delivered',
  ): Promise<OrderStatusView> {
    return this.orders.transaction(async (manager) => {
      const order = await this.orders.lock(manager, orderId);
      if (!order) throw new DomainError('NOT_FOUND');
      await this.orders.setStatus(manager, orderId, order.status, to);
      await this.securityEvents.emit(
        ctx,
        {
          name: 'order.status.changed',
          target: { type: 'order', id: orderId },
          details: { from: order.status, to },
        },
        manager,
      );
      return { id: orderId, status: to };
    });
  }
}
