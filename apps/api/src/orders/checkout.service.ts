import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type {
  CheckoutOrder,
  CheckoutResponse,
  PaymentClientSession,
  PaymentIntentStatus,
  ShippingAddress,
} from '@storefront/contracts';
import type { EntityManager } from 'typeorm';
import type { CartCaller } from '../cart/cart-caller';
import { CartService, guestCartIdOf } from '../cart/cart.service';
import { CartsRepository } from '../cart/carts.repository';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import {
  CouponsService,
  customerRefOfGuest,
  customerRefOfUser,
  type CustomerRef,
} from '../coupons/coupons.service';
import { DomainError } from '../core/errors/domain-error';
import {
  MIN_PAYMENT_AMOUNT,
  PAYMENT_GATEWAY,
  paymentIdempotencyKey,
  type PaymentGateway,
  type PaymentIntentView,
} from '../payments/payment-gateway';
import { CartPricing, type PricedCart } from '../pricing/cart-pricing.service';
import {
  BLIND_INDEX,
  FIELD_CIPHER,
  type BlindIndex,
  type FieldCipher,
} from '../privacy/encryption/field-cipher';
import { newOrderNumber } from './order-number';
import { OrdersQuery } from './orders-query.service';
import { ORDER_SEALED, OrdersRepository, type OrderRecord } from './orders.repository';
import { StockReservationsRepository } from './stock-reservations.repository';

/** Purpose of the blind index of a guest's email (guest order lookup, per-guest coupon limits). */
export const GUEST_EMAIL_INDEX = 'guest-email';

/** PaymentIntent statuses in which the browser can still pay (confirm, or authenticate). */
const PAYABLE: ReadonlySet<PaymentIntentStatus> = new Set([
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
]);

/** A validated checkout request (the contract's output). */
export interface CheckoutInput {
  checkoutKey: string;
  shippingAddress: ShippingAddress;
  shippingMethod: string;
  email?: string | undefined;
  locale: 'en' | 'fr';
}

/**
 * Checkout: turns the caller's cart into one order and one PaymentIntent.
 *
 * 1. One transaction (the recipe of docs/ARCHITECTURE.md): lock the cart, look for the order of
 *    this checkout attempt (a double submit finds it here and gets it back), price the cart from
 *    the database, write the order with the priced amounts and the sealed address, take the stock (conditional
 *    `UPDATE`, variants in id order), redeem the coupon, empty the cart. Any refusal
 *    rolls all of it back.
 * 2. After the commit, the PaymentIntent: created with the order's amount and currency and an
 *    idempotency key tied to the order, or re-read when the order already records one. A
 *    provider failure leaves the order `pending_payment`; a retry with the same checkout key
 *    reaches step 2 again with the same key, so the customer is never charged twice.
 */
@Injectable()
export class CheckoutService {
  constructor(
    @Inject(CartService) private readonly carts: CartService,
    @Inject(CartsRepository) private readonly cartRows: CartsRepository,
    @Inject(CartPricing) private readonly pricing: CartPricing,
    @Inject(CouponsService) private readonly coupons: CouponsService,
    @Inject(OrdersRepository) private readonly orders: OrdersRepository,
    @Inject(StockReservationsRepository) private readonly stock: StockReservationsRepository,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    @Inject(BLIND_INDEX) private readonly blindIndex: BlindIndex,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(OrdersQuery) private readonly ordersQuery: OrdersQuery,
  ) {}

  /** Checks out the caller's cart (see the class comment). */
  async checkout(caller: CartCaller, input: CheckoutInput): Promise<CheckoutResponse> {
    if (caller.owner.kind === 'guest' && input.email === undefined) {
      throw new DomainError('VALIDATION_FAILED', undefined, [
        {
          path: 'email',
          rule: 'required',
          message: 'A contact email is required to check out as a guest.',
        },
      ]);
    }
    const cart = await this.carts.find(caller);
    if (!cart) throw new DomainError('CHECKOUT_NOT_READY');
    const order =
      (await this.orders.findByCheckoutKey(cart.id, input.checkoutKey)) ??
      (await this.placeOrder(caller, cart.id, input));
    return this.paymentSession(order);
  }

  /**
   * An order the caller checked out (a customer's own; for a guest, one placed from the guest cart
   * of their session), for the payment and confirmation pages; while it awaits payment, the
   * PaymentIntent's state and, if it can still be paid, the client session to pay it with.
   */
  async placedOrder(caller: CartCaller, orderId: string): Promise<CheckoutOrder> {
    let owner: { userId: string } | { guestCartId: string };
    if (caller.owner.kind === 'customer') owner = { userId: caller.owner.userId };
    else {
      const guestCartId = guestCartIdOf(caller.session);
      if (guestCartId === null) throw new DomainError('NOT_FOUND');
      owner = { guestCartId };
    }
    const { order, paymentIntentId } = await this.ordersQuery.findPlaced(owner, orderId);
    if (order.status !== 'pending_payment' || paymentIntentId === null) {
      return { order, payment: null, paymentStatus: null };
    }
    const intent = await this.gateway.retrieveIntent(paymentIntentId);
    return {
      order,
      paymentStatus: intent.status,
      payment: PAYABLE.has(intent.status) ? this.clientSession(order, intent) : null,
    };
  }

  private async placeOrder(
    caller: CartCaller,
    cartId: string,
    input: CheckoutInput,
  ): Promise<OrderRecord> {
    const userId = caller.owner.kind === 'customer' ? caller.owner.userId : null;
    const guestEmailIndex =
      userId === null && input.email !== undefined
        ? this.blindIndex.compute(GUEST_EMAIL_INDEX, input.email)
        : null;
    const customerRef: CustomerRef =
      userId !== null ? customerRefOfUser(userId) : customerRefOfGuest(guestEmailIndex ?? '');
    const orderId = randomUUID();
    const [addressSealed, emailSealed] = await Promise.all([
      this.cipher.encrypt(
        JSON.stringify(input.shippingAddress),
        ORDER_SEALED.shippingAddress(orderId),
      ),
      userId === null && input.email !== undefined
        ? this.cipher.encrypt(input.email.trim(), ORDER_SEALED.guestEmail(orderId))
        : Promise.resolve(null),
    ]);

    const placed = await this.orders.transaction(async (manager) => {
      const cart = await this.cartRows.lock(manager, cartId);
      if (!cart) throw new DomainError('CHECKOUT_NOT_READY');
      // A double submit waited for the lock above: it finds the first one's order.
      const existing = await this.orders.findByCheckoutKey(cartId, input.checkoutKey, manager);
      if (existing) return existing;

      const priced = await this.pricing.priceCart(
        { ...cart, lines: await this.cartRows.lines(cartId, manager) },
        { manager, customerRef, shippingMethodCode: input.shippingMethod },
      );
      this.assertReady(priced);
      const expiresAt = new Date(Date.now() + this.config.orders.reservationTtlSeconds * 1000);

      await this.orders.insert(
        manager,
        {
          id: orderId,
          number: newOrderNumber(),
          userId,
          guestEmailSealed: emailSealed,
          guestEmailIndex,
          cartId,
          locale: input.locale,
          currency: priced.currency,
          subtotal: priced.subtotal,
          discount: priced.discount,
          shipping: priced.shipping ?? 0,
          vat: priced.vatTotal,
          total: priced.total,
          shippingMethodCode: priced.shippingMethod?.code ?? input.shippingMethod,
          shippingAddressSealed: addressSealed,
          couponRedemptionId: null,
          reservationExpiresAt: expiresAt,
          lines: priced.lines.map((line) => ({
            variantId: line.variantId,
            productName: line.variant?.productName ?? '',
            sku: line.variant?.sku ?? '',
            unitPrice: line.unitPrice,
            quantity: line.quantity,
            lineTotal: line.lineTotal,
            discount: line.discount,
            vatRateBasisPoints: line.vatRateBasisPoints,
            vatAmount: line.vat,
          })),
        },
        input.checkoutKey,
      );
      await this.reserve(manager, orderId, priced, expiresAt);
      if (priced.coupon?.status === 'applied') {
        const redemptionId = await this.coupons.redeem(manager, {
          couponId: priced.coupon.id,
          customerRef,
          orderId,
        });
        await this.orders.setCouponRedemption(manager, orderId, redemptionId);
      }
      await this.cartRows.clear(manager, cartId);
      const order = await this.orders.find(orderId, manager);
      if (!order) throw new Error('order vanished after its creation');
      return order;
    });
    return placed;
  }

  private assertReady(priced: PricedCart): void {
    if (priced.lines.length === 0 || priced.shippingMethod === null || priced.shipping === null) {
      throw new DomainError('CHECKOUT_NOT_READY');
    }
    if (!priced.checkoutReady) throw new DomainError('CART_ITEM_UNAVAILABLE');
    // A code the shopper saw in the cart that has since expired or been used up: refused rather
    // than silently charging the full price; the cart shows it as not applicable, to remove.
    if (priced.coupon?.status === 'not-applicable') throw new DomainError('COUPON_NOT_APPLICABLE');
    if (priced.total < MIN_PAYMENT_AMOUNT) throw new DomainError('CHECKOUT_NOT_READY');
  }

  /** Takes the stock of every line, variants in id order (concurrent checkouts never deadlock). */
  private async reserve(
    manager: EntityManager,
    orderId: string,
    priced: PricedCart,
    expiresAt: Date,
  ): Promise<void> {
    const lines = [...priced.lines].sort((a, b) => (a.variantId < b.variantId ? -1 : 1));
    for (const line of lines) {
      const reserved = await this.stock.reserve(manager, {
        orderId,
        variantId: line.variantId,
        quantity: line.quantity,
        expiresAt,
      });
      if (!reserved) throw new DomainError('CART_ITEM_UNAVAILABLE');
    }
  }

  /** The PaymentIntent of the order (created once, with a key tied to the order) for the browser. */
  private async paymentSession(order: OrderRecord): Promise<CheckoutResponse> {
    if (order.status !== 'pending_payment') throw new DomainError('ORDER_STATE_CONFLICT');
    let intent: PaymentIntentView;
    if (order.paymentIntentId !== null) {
      intent = await this.gateway.retrieveIntent(order.paymentIntentId);
    } else {
      intent = await this.gateway.createIntent({
        orderId: order.id,
        amount: order.total,
        currency: order.currency,
        idempotencyKey: paymentIdempotencyKey('create-intent', order.id),
      });
      if (!(await this.orders.setPaymentIntent(order.id, intent.id))) {
        throw new DomainError('PAYMENT_STATE_CONFLICT');
      }
    }
    const payment = this.clientSession(order, intent);
    if (payment === null) throw new DomainError('ORDER_STATE_CONFLICT');
    return { orderId: order.id, orderNumber: order.number, status: order.status, payment };
  }

  /** What the browser pays an order's intent with; null when the intent has no client secret. */
  private clientSession(
    order: { total: number; currency: PaymentClientSession['currency'] },
    intent: PaymentIntentView,
  ): PaymentClientSession | null {
    if (intent.clientSecret === null) return null;
    return {
      provider: this.gateway.provider,
      paymentIntentId: intent.id,
      clientSecret: intent.clientSecret.reveal(),
      publishableKey: this.config.payments.publishableKey,
      amount: order.total,
      currency: order.currency,
    };
  }
}
