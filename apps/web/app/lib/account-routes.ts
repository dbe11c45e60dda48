import { route, type RouteConfigEntry } from '@react-router/dev/routes';

/**
 * The customer account's pages, listed here and spread into app/routes.ts (inside `/:lang`), so
 * the shared URL map stays short. Each page's file says what it does.
 */
export const accountRoutes: RouteConfigEntry[] = [
  route('account', 'routes/account-home.tsx'),
  route('account/register', 'routes/account-register.tsx'),
  route('account/verify-email', 'routes/account-verify-email.tsx'),
  route('account/sign-in', 'routes/account-sign-in.tsx'),
  route('account/sign-in/second-factor', 'routes/account-second-factor.tsx'),
  route('account/two-factor', 'routes/account-two-factor.tsx'),
  route('account/forgot-password', 'routes/account-forgot-password.tsx'),
  route('account/reset-password', 'routes/account-reset-password.tsx'),
  route('account/confirm-email-change', 'routes/account-confirm-email-change.tsx'),
  route('account/security', 'routes/account-security.tsx'),
  route('account/reauthenticate', 'routes/account-reauthenticate.tsx'),
  route('account/sessions', 'routes/account-sessions.tsx'),
  route('account/addresses', 'routes/account-addresses.tsx'),
  route('account/addresses/:id', 'routes/account-address.tsx'),
  route('account/orders', 'routes/account-orders.tsx'),
  route('account/orders/:ref', 'routes/account-order.tsx'),
  route('account/sign-out', 'routes/account-sign-out.tsx'),
  route('admin/accept-invitation', 'routes/admin-accept-invitation.tsx'),
];

/**
 * Links without a language (`/account/…`, `/admin/accept-invitation`: older emails, the
 * `admin:create` command's output) redirect to the same page in the browser's language. The
 * fragment that carries an emailed token survives the redirect: browsers keep it when the
 * `Location` has none.
 */
export const unprefixedAccountRoutes: RouteConfigEntry[] = [
  route('account/*', 'routes/account-unprefixed.tsx', { id: 'account-unprefixed' }),
  route('admin/accept-invitation', 'routes/account-unprefixed.tsx', {
    id: 'admin-invitation-unprefixed',
  }),
];
