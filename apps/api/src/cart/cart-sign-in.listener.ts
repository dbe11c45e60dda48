import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { SignInListeners } from '../identity/sign-in-listeners';
import { CartService } from './cart.service';

/**
 * Merges the guest cart into the customer's cart when a customer completes a sign-in (password,
 * second factor or passkey), through identity's {@link SignInListeners} port. If the merge fails
 * (the database is briefly away), the guest cart id stays in the session and the next cart
 * request merges it.
 */
@Injectable()
export class CartSignInListener implements OnModuleInit {
  constructor(
    @Inject(SignInListeners) private readonly listeners: SignInListeners,
    @Inject(CartService) private readonly cart: CartService,
  ) {}

  onModuleInit(): void {
    this.listeners.register(async ({ userId, kind, session }) => {
      if (kind === 'customer') await this.cart.mergeGuestCart(userId, session);
    });
  }
}
