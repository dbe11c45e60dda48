import { Module } from '@nestjs/common';
import { CouponsRepository } from '../coupons/coupons.repository';
import { CouponsService } from '../coupons/coupons.service';
import { CartPricing } from '../pricing/cart-pricing.service';
import { CataloguePricesRepository } from '../pricing/catalogue-prices.repository';
import { CartCallers } from './cart-caller';
import { CartSignInListener } from './cart-sign-in.listener';
import { CartController } from './cart.controller';
import { CartService } from './cart.service';
import { CartsRepository } from './carts.repository';
import { GuestCartPurger } from './guest-cart-purger';

/**
 * The cart context: carts and their routes (`/api/cart`), pricing (`pricing/`) and coupons
 * (`coupons/`). It exports what checkout needs: {@link CartPricing} (`priceCart`, the one
 * pricing path), {@link CouponsService} (`redeem`/`release` inside checkout's transaction),
 * {@link CartsRepository} and {@link CartService} (the caller's cart, its lines). Abandoned guest
 * carts are deleted by {@link GuestCartPurger}.
 * Needs the global identity module (its `SignInListeners` port, for the merge at sign-in).
 */
@Module({
  controllers: [CartController],
  providers: [
    CartsRepository,
    CartCallers,
    CartService,
    CartSignInListener,
    GuestCartPurger,
    CataloguePricesRepository,
    CartPricing,
    CouponsRepository,
    CouponsService,
  ],
  exports: [CartPricing, CouponsService, CartsRepository, CartService, CartCallers],
})
export class CartModule {}
