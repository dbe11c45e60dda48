import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { DiscoveryModule } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_PUBLIC, REQUIRED_PERMISSIONS } from '../../src/core/http/public.decorator';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ extraImports: [DiscoveryModule] });
});
afterAll(async () => {
  await t.close();
});

interface RouteDeclaration {
  route: string;
  isPublic: boolean;
  permissions: string[];
}

function declaredRoutes(): RouteDeclaration[] {
  const discovery = t.app.get(DiscoveryService);
  const scanner = t.app.get(MetadataScanner);
  const routes: RouteDeclaration[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (new () => object) | null;
    if (!controller) continue;
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[name] as object;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (path === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
      const read = (key: string): unknown =>
        Reflect.getMetadata(key, handler) ?? Reflect.getMetadata(key, controller);
      routes.push({
        route: `${method} ${`/${String(Reflect.getMetadata(PATH_METADATA, controller))}/${path}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1')} (${controller.name}.${name})`,
        isPublic: read(IS_PUBLIC) === true,
        permissions: (read(REQUIRED_PERMISSIONS) as string[] | undefined) ?? [],
      });
    }
  }
  return routes;
}

describe('deny by default', () => {
  it('every route of the running application declares @Public() or its permissions', () => {
    const routes = declaredRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(5);
    const undeclared = routes
      .filter((r) => !r.isPublic && r.permissions.length === 0)
      .map((r) => r.route);
    expect(undeclared).toEqual([]);
  });

  it('public routes are exactly the ones meant to be public', () => {
    const publicRoutes = declaredRoutes()
      .filter((r) => r.isPublic)
      .map((r) => r.route.split(' (')[0])
      .sort();
    expect(publicRoutes).toEqual([
      // The cart: guests shop without an account (owner = the session; CSRF token required).
      'DELETE /cart/coupon',
      'DELETE /cart/lines/:id',
      'GET /auth/session',
      'GET /cart',
      'GET /categories',
      // The payment and confirmation pages' view of an order: the customer's own, or a guest's
      // placed from the guest cart of this session (anything else 404, tested in
      // test/orders/placed-order.http.spec.ts).
      'GET /checkout/orders/:id',
      'GET /health/live',
      'GET /health/ready',
      'GET /products',
      'GET /products/:slug',
      'PATCH /cart/lines/:id',
      // Sign-up, sign-in and the emailed-link flows: public by nature, rate limited (`auth`).
      'POST /auth/confirm-email-change',
      'POST /auth/login',
      'POST /auth/logout',
      'POST /auth/mfa',
      // Passkeys: passwordless sign-in, and the passkey second factor of a partial sign-in.
      'POST /auth/mfa/passkey',
      'POST /auth/mfa/passkey/options',
      'POST /auth/passkey',
      'POST /auth/passkey/options',
      'POST /auth/password-reset',
      'POST /auth/password-reset/complete',
      'POST /auth/register',
      'POST /auth/staff-invite/complete',
      'POST /auth/verify-email',
      'POST /cart/coupon',
      'POST /cart/lines',
      // Checkout: guests check out too (owner = the session; CSRF token; `checkout` rate limit).
      'POST /checkout',
      // CSP violation reports: browsers send them on their own (`csp-report` rate limit; a log
      // line is all they can cause).
      'POST /csp-reports',
      // A guest's order through the token of its emailed link (rate limited as `auth`).
      'POST /orders/guest-access',
      // Stripe's signed webhook (the signature authenticates; no session), and the development
      // provider's stand-in for Stripe.js (registered only with PAYMENT_PROVIDER=development).
      'POST /payments/development/intents/:id/authenticate',
      'POST /payments/development/intents/:id/confirm',
      'POST /payments/stripe/webhook',
      'PUT /cart/shipping-method',
    ]);
  });
});
