import type { PaymentProvider } from '@storefront/contracts';

/**
 * Paths of the buying pages after the cart (inside a language: pass them to `localePath` or
 * `useLocalePath`). Client-safe.
 */

/**
 * The page that pays an order: Stripe's Payment Element (`card`, the only page whose security
 * profile lets Stripe.js in), or the development provider's simulated cards (`pay`).
 */
export function paymentPagePath(orderId: string, provider: PaymentProvider): string {
  return `/checkout/${orderId}/${provider === 'stripe' ? 'card' : 'pay'}`;
}

/** The confirmation page of an order (Stripe's `return_url` after a card payment). */
export function confirmationPath(orderId: string): string {
  return `/orders/${orderId}/confirmation`;
}
