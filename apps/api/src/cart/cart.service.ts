import { Inject, Injectable } from '@nestjs/common';
import type { AddCartLineRequest, Cart } from '@storefront/contracts';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CouponsService, customerRefOfUser, type CustomerRef } from '../coupons/coupons.service';
import { DomainError } from '../core/errors/domain-error';
import { CataloguePricesRepository } from '../pricing/catalogue-prices.repository';
import { CartPricing, lineStatusOf, type PricedCart } from '../pricing/cart-pricing.service';
import { SessionService, type Session } from '../session/session.service';
import type { CartCaller, CartOwner } from './cart-caller';
import { CartsRepository, type CartRecord } from './carts.repository';

/** Key of the guest cart id in the session's per-context data. */
export const GUEST_CART_SESSION_KEY = 'cartId';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The guest cart id a session holds, if any (the session is server-side: it cannot be forged). */
export function guestCartIdOf(session: Session | null): string | null {
  const id = session?.record.data[GUEST_CART_SESSION_KEY];
  return id !== undefined && UUID.test(id) ? id : null;
}

/** The session data without the guest cart id. */
function withoutGuestCart(data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).filter(([key]) => key !== GUEST_CART_SESSION_KEY));
}

const money = (amount: number) => ({ amount, currency: 'EUR' as const });

/** The priced cart in the contract's shape. */
export function toCartResponse(priced: PricedCart, csrfToken: string | null): Cart {
  return {
    lines: priced.lines.map((line) => ({
      id: line.id,
      variantId: line.variantId,
      productSlug: line.variant?.productSlug ?? '',
      productName: line.variant?.productName ?? '',
      sku: line.variant?.sku ?? '',
      options: line.variant?.options ?? {},
      quantity: line.quantity,
      unitPrice: money(line.unitPrice),
      lineTotal: money(line.status === 'ok' ? line.lineTotal : line.unitPrice * line.quantity),
      vatRateBasisPoints: line.vatRateBasisPoints,
      status: line.status,
    })),
    itemCount: priced.itemCount,
    subtotal: money(priced.subtotal),
    discount: money(priced.discount),
    shipping: priced.shipping === null ? null : money(priced.shipping),
    total: money(priced.total),
    vat: priced.vat.map((v) => ({ rateBasisPoints: v.rateBasisPoints, amount: money(v.amount) })),
    coupon: priced.coupon
      ? {
          codeHint: `…${priced.coupon.codeHint}`,
          status: priced.coupon.status,
          minimumSubtotal: money(priced.coupon.minimumSubtotal),
        }
      : null,
    shippingMethod: priced.shippingMethod?.code ?? null,
    shippingMethods: priced.shippingMethods.map((m) => ({
      code: m.code,
      name: m.name,
      fee: money(m.fee),
    })),
    checkoutReady: priced.checkoutReady,
    csrfToken,
  };
}

/**
 * The cart use cases. The owner comes from the session ({@link CartCaller}); every read and
 * write finds the cart through that owner, so another shopper's cart or line is a 404 and is
 * left untouched. Writes to one cart are serialised by a row lock. Quantities are checked
 * against `CART_MAX_QUANTITY` and the stock when added or changed, and every answer is the cart
 * priced afresh from the database.
 */
@Injectable()
export class CartService {
  constructor(
    @Inject(CartsRepository) private readonly carts: CartsRepository,
    @Inject(CartPricing) private readonly pricing: CartPricing,
    @Inject(CataloguePricesRepository) private readonly prices: CataloguePricesRepository,
    @Inject(CouponsService) private readonly coupons: CouponsService,
    @Inject(SessionService) private readonly sessions: SessionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get maxQuantity(): number {
    return this.config.cart.maxQuantity;
  }

  private assertQuantity(quantity: number): void {
    if (quantity > this.maxQuantity) {
      throw new DomainError('VALIDATION_FAILED', undefined, [
        {
          path: 'quantity',
          rule: 'too_big',
          limit: this.maxQuantity,
          message: `Too big: expected number to be <=${this.maxQuantity}`,
        },
      ]);
    }
  }

  private customerRefOf(owner: CartOwner): CustomerRef | null {
    return owner.kind === 'customer' ? customerRefOfUser(owner.userId) : null;
  }

  /**
   * The caller's cart, if it has one (never created here). Checkout starts from this, then locks
   * the cart (`CartsRepository.lock`) and prices it in its own transaction.
   */
  async find(caller: CartCaller): Promise<CartRecord | null> {
    if (caller.owner.kind === 'customer') {
      // A guest cart left in the session (its merge at sign-in failed) is merged now.
      if (caller.session) await this.mergeGuestCart(caller.owner.userId, caller.session);
      return this.carts.findCustomerCart(caller.owner.userId);
    }
    const id = guestCartIdOf(caller.session);
    return id === null ? null : this.carts.findGuestCart(id);
  }

  /** The caller's cart, created if needed (a guest also gets a session and its cookie). */
  private async writableCart(caller: CartCaller): Promise<CartRecord> {
    const existing = await this.find(caller);
    if (existing) return existing;
    if (caller.owner.kind === 'customer') return this.carts.ensureCustomerCart(caller.owner.userId);
    const session = await caller.ensureSession();
    const id = await this.carts.createGuestCart();
    session.record.data[GUEST_CART_SESSION_KEY] = id;
    await this.sessions.save(session);
    return { id, userId: null, couponId: null, shippingMethodCode: null };
  }

  private async respond(caller: CartCaller, cart: CartRecord | null): Promise<Cart> {
    const lines = cart ? await this.carts.lines(cart.id) : [];
    const priced = await this.pricing.priceCart(
      {
        lines,
        couponId: cart?.couponId ?? null,
        shippingMethodCode: cart?.shippingMethodCode ?? null,
      },
      { customerRef: this.customerRefOf(caller.owner) },
    );
    return toCartResponse(priced, caller.session?.record.csrfToken ?? null);
  }

  /** The caller's cart, priced (an empty one when there is none; no session is started). */
  async view(caller: CartCaller): Promise<Cart> {
    return this.respond(caller, await this.find(caller));
  }

  /** Adds units of a variant (to the line already holding it, if any). */
  async addLine(caller: CartCaller, input: AddCartLineRequest): Promise<Cart> {
    this.assertQuantity(input.quantity);
    // Refuse what cannot be bought before starting a session or a cart for it.
    const variant = (await this.prices.variants([input.variantId])).get(input.variantId);
    if (lineStatusOf(variant, input.quantity) !== 'ok') {
      throw new DomainError('CART_ITEM_UNAVAILABLE');
    }
    const cart = await this.writableCart(caller);
    await this.carts.transaction(async (manager) => {
      await this.carts.lock(manager, cart.id);
      const lines = await this.carts.lines(cart.id, manager);
      const existing = lines.find((l) => l.variantId === input.variantId);
      if (!existing && lines.length >= this.config.cart.maxLines) {
        throw new DomainError('CART_LIMIT_EXCEEDED');
      }
      const quantity = (existing?.quantity ?? 0) + input.quantity;
      if (quantity > this.maxQuantity) throw new DomainError('CART_LIMIT_EXCEEDED');
      const current = (await this.prices.variants([input.variantId], manager)).get(input.variantId);
      if (lineStatusOf(current, quantity) !== 'ok') throw new DomainError('CART_ITEM_UNAVAILABLE');
      await this.carts.upsertLine(manager, cart.id, input.variantId, quantity);
      await this.carts.touch(manager, cart.id);
    });
    return this.respond(caller, cart);
  }

  /** Sets the quantity of one of the caller's lines. */
  async updateLine(caller: CartCaller, lineId: string, quantity: number): Promise<Cart> {
    this.assertQuantity(quantity);
    const cart = await this.find(caller);
    if (!cart) throw new DomainError('NOT_FOUND');
    await this.carts.transaction(async (manager) => {
      await this.carts.lock(manager, cart.id);
      const line = (await this.carts.lines(cart.id, manager)).find((l) => l.id === lineId);
      if (!line) throw new DomainError('NOT_FOUND');
      const variant = (await this.prices.variants([line.variantId], manager)).get(line.variantId);
      if (lineStatusOf(variant, quantity) !== 'ok') throw new DomainError('CART_ITEM_UNAVAILABLE');
      await this.carts.setLineQuantity(manager, cart.id, lineId, quantity);
      await this.carts.touch(manager, cart.id);
    });
    return this.respond(caller, cart);
  }

  /** Removes one of the caller's lines. */
  async removeLine(caller: CartCaller, lineId: string): Promise<Cart> {
    const cart = await this.find(caller);
    if (!cart || !(await this.carts.deleteLine(cart.id, lineId))) {
      throw new DomainError('NOT_FOUND');
    }
    return this.respond(caller, cart);
  }

  /**
   * Attaches a coupon. Every refusal is the same `COUPON_NOT_APPLICABLE`. The code is only
   * checked here; it is counted when checkout redeems it (`CouponsService.redeem`).
   */
  async applyCoupon(caller: CartCaller, code: string): Promise<Cart> {
    const coupon = await this.coupons.findApplicable(code, this.customerRefOf(caller.owner));
    if (!coupon) throw new DomainError('COUPON_NOT_APPLICABLE');
    const cart = await this.writableCart(caller);
    await this.carts.setCoupon(cart.id, coupon.id);
    return this.respond(caller, { ...cart, couponId: coupon.id });
  }

  /** Detaches the coupon (nothing to do without a cart). */
  async removeCoupon(caller: CartCaller): Promise<Cart> {
    const cart = await this.find(caller);
    if (cart) await this.carts.setCoupon(cart.id, null);
    return this.respond(caller, cart ? { ...cart, couponId: null } : null);
  }

  /** Chooses one of the active shipping methods. */
  async selectShippingMethod(caller: CartCaller, code: string): Promise<Cart> {
    const methods = await this.prices.activeShippingMethods();
    if (!methods.some((m) => m.code === code)) {
      throw new DomainError('VALIDATION_FAILED', undefined, [
        {
          path: 'code',
          rule: 'invalid_choice',
          message: 'not a shipping method that can be chosen',
        },
      ]);
    }
    const cart = await this.writableCart(caller);
    await this.carts.setShippingMethod(cart.id, code);
    return this.respond(caller, { ...cart, shippingMethodCode: code });
  }

  /**
   * Merges the guest cart held by `session` into the customer's cart (called at sign-in, and
   * again lazily if that failed), then forgets it in the session. Quantities add up, capped at
   * `CART_MAX_QUANTITY`; no line is lost or duplicated. Both carts are locked in id order, so
   * concurrent merges or edits cannot deadlock; a guest cart already merged is simply gone.
   */
  async mergeGuestCart(userId: string, session: Session): Promise<void> {
    const guestId = guestCartIdOf(session);
    if (guestId === null) {
      if (GUEST_CART_SESSION_KEY in session.record.data) {
        session.record.data = withoutGuestCart(session.record.data);
        await this.sessions.save(session);
      }
      return;
    }
    await this.carts.transaction(async (manager) => {
      const target = await this.carts.ensureCustomerCart(userId, manager);
      for (const id of [target.id, guestId].sort()) await this.carts.lock(manager, id);
      const guest = await this.carts.findGuestCart(guestId, manager);
      if (guest) await this.carts.mergeInto(manager, guest.id, target.id, this.maxQuantity);
    });
    session.record.data = withoutGuestCart(session.record.data);
    await this.sessions.save(session);
  }
}
