import { route, type RouteConfigEntry } from '@react-router/dev/routes';

/**
 * The buying pages, listed here and spread into app/routes.ts (inside `/:lang`), so the shared URL
 * map stays short: the cart, checkout, payment (the development provider's simulated cards, or
 * Stripe's Payment Element), the order confirmation and a guest's order from their email link.
 */
export const checkoutRoutes: RouteConfigEntry[] = [
  route('cart', 'routes/cart.tsx'),
  route('checkout', 'routes/checkout.tsx'),
  route('checkout/:orderId/pay', 'routes/checkout-payment.tsx'),
  route('checkout/:orderId/card', 'routes/checkout-payment-stripe.tsx'),
  route('orders/view', 'routes/order-view.tsx'),
  route('orders/:orderId/confirmation', 'routes/order-confirmation.tsx'),
];

/**
 * `/orders/view` without a language (the link in a guest's order confirmation email) redirects
 * to the same page in the browser's language; the token in the fragment survives the redirect.
 */
export const unprefixedCheckoutRoutes: RouteConfigEntry[] = [
  route('orders/view', 'routes/order-view-unprefixed.tsx'),
];
