import { Inject, Injectable } from '@nestjs/common';
import {
  ShippingAddressSchema,
  type Order,
  type OrderList,
  type OrderStatus,
} from '@storefront/contracts';
import { DomainError } from '../core/errors/domain-error';
import { FIELD_CIPHER, type FieldCipher } from '../privacy/encryption/field-cipher';
import { guestTokenDigest } from './order-payment.handler';
import {
  ORDER_SEALED,
  OrdersRepository,
  type OrderRecord,
  type OrderSummaryRecord,
} from './orders.repository';

const DEFAULT_LIMIT = 50;

function toList(orders: OrderSummaryRecord[]): OrderList {
  return { orders: orders.map((o) => ({ ...o, createdAt: o.createdAt.toISOString() })) };
}

/**
 * Reading orders: a customer's own (found through the caller's account id, so another customer's
 * order is a 404 and reveals nothing), and the shop's list for staff with `orders:read` (summaries
 * only: no address, no email).
 */
@Injectable()
export class OrdersQuery {
  constructor(
    @Inject(OrdersRepository) private readonly orders: OrdersRepository,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
  ) {}

  /** The caller's newest orders. */
  async listOwn(userId: string, limit = DEFAULT_LIMIT): Promise<OrderList> {
    return toList(await this.orders.listOfUser(userId, limit));
  }

  /** One of the caller's orders, in full (its shipping address opened); 404 for anyone else's. */
  async findOwn(userId: string, orderId: string): Promise<Order> {
    const order = await this.orders.find(orderId);
    if (order?.userId !== userId) throw new DomainError('NOT_FOUND');
    return this.toOrder(order);
  }

  /**
   * An order the caller checked out, with its PaymentIntent id: a customer's own, or a guest order
   * placed from the guest cart the caller's session holds (so a guest sees the orders of this
   * browser session only); 404 for any other.
   */
  async findPlaced(
    owner: { userId: string } | { guestCartId: string },
    orderId: string,
  ): Promise<{ order: Order; paymentIntentId: string | null }> {
    const record =
      'userId' in owner
        ? await this.orders.find(orderId)
        : await this.orders.findGuestOrderOfCart(owner.guestCartId, orderId);
    if (!record || ('userId' in owner && record.userId !== owner.userId)) {
      throw new DomainError('NOT_FOUND');
    }
    return { order: await this.toOrder(record), paymentIntentId: record.paymentIntentId };
  }

  /** The order a guest's emailed link opens; 404 for an unknown, altered or expired token. */
  async findByGuestToken(token: string): Promise<Order> {
    const order = await this.orders.findByGuestAccess(guestTokenDigest(token));
    if (!order) throw new DomainError('NOT_FOUND');
    return this.toOrder(order);
  }

  /** Any order in full, for staff (the shipping address opened, to fulfil it). */
  async findAny(orderId: string): Promise<Order> {
    const order = await this.orders.find(orderId);
    if (!order) throw new DomainError('NOT_FOUND');
    return this.toOrder(order);
  }

  /** The shop's newest orders (staff). */
  async listAll(status: OrderStatus | null, limit = DEFAULT_LIMIT): Promise<OrderList> {
    return toList(await this.orders.listAll(status, limit));
  }

  private async toOrder(order: OrderRecord): Promise<Order> {
    const sealed = await this.orders.sealedShippingAddress(order.id);
    if (sealed === null) throw new DomainError('NOT_FOUND');
    const address = ShippingAddressSchema.parse(
      JSON.parse(await this.cipher.decrypt(sealed, ORDER_SEALED.shippingAddress(order.id))),
    );
    const lines = await this.orders.lines(order.id);
    return {
      id: order.id,
      number: order.number,
      status: order.status,
      currency: order.currency,
      subtotal: order.subtotal,
      discount: order.discount,
      shipping: order.shipping,
      vat: order.vat,
      total: order.total,
      shippingMethod: order.shippingMethodCode,
      lines,
      shippingAddress: address,
      createdAt: order.createdAt.toISOString(),
    };
  }
}
