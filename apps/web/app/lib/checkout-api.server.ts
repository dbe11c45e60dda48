import { randomBytes } from 'node:crypto';
import {
  CheckoutOrderSchema,
  CheckoutResponseSchema,
  DEVELOPMENT_PAYMENT_METHODS,
  DevelopmentPaymentStateSchema,
  type CheckoutOrder,
  type CheckoutRequest,
  type CheckoutResponse,
  type DevelopmentPaymentMethod,
  type DevelopmentPaymentState,
  type Order,
} from '@storefront/contracts';
import { INTL_LOCALE, type Locale } from '../i18n/locale';
import { callApi, formFailure, requestLocale, type FormFailure } from './api-session.server';
import { isUuid } from './cart-api.server';
import { pageError } from './http-status.server';

/**
 * Checkout and payment through the API, for the visitor: place the order (`POST /api/checkout`),
 * read an order they placed with its payment (`GET /api/checkout/orders/:id`), and — with the
 * development provider — confirm its PaymentIntent with a test card server-side, the part
 * Stripe.js plays with Stripe. Client secrets stay on this server for the development provider;
 * only the Stripe page hands one to the browser (Stripe.js needs it).
 */

/** A fresh idempotency key for one checkout attempt (192 bits, base64url: 32 characters). */
export function newCheckoutKey(): string {
  return randomBytes(24).toString('base64url');
}

/** What a refused API call gives the page: its status and the failure for the form. */
export interface ApiRefusal {
  ok: false;
  status: number;
  failure: FormFailure;
  headers: Headers;
}

/** Places the order (`POST /api/checkout`) with the CSRF token the form posted. */
export async function placeOrder(
  request: Request,
  body: CheckoutRequest,
  csrfToken: string | null,
): Promise<{ ok: true; checkout: CheckoutResponse; headers: Headers } | ApiRefusal> {
  const result = await callApi(request, '/checkout', CheckoutResponseSchema, {
    method: 'POST',
    body,
    csrfToken,
  });
  if (!result.ok) return refusal(result, request);
  if (result.data === null) pageError(502);
  return { ok: true, checkout: result.data, headers: result.headers };
}

/**
 * An order the visitor placed, with its payment while it awaits one. Anything but a uuid, and an
 * order that is not theirs (the API answers 404 for another's), is this page's 404.
 */
export async function loadPlacedOrder(
  request: Request,
  orderId: string | undefined,
): Promise<{ placed: CheckoutOrder; headers: Headers }> {
  if (!isUuid(orderId)) pageError(404);
  const result = await callApi(request, `/checkout/orders/${orderId}`, CheckoutOrderSchema);
  if (!result.ok) pageError(result.status === 404 || result.status === 400 ? 404 : 502);
  if (result.data === null) pageError(502);
  return { placed: result.data, headers: result.headers };
}

/** Whether a posted value is one of the development provider's test cards. */
export function isDevelopmentPaymentMethod(value: unknown): value is DevelopmentPaymentMethod {
  return (DEVELOPMENT_PAYMENT_METHODS as readonly unknown[]).includes(value);
}

/**
 * One step of the development provider's simulated card payment: `confirm` with a test card, or
 * `authenticate` (the simulated 3-D Secure answer). The client secret is read from the API by
 * this server (never posted by the browser); the CSRF token comes from the form.
 */
export async function developmentPaymentStep(
  request: Request,
  payment: { paymentIntentId: string; clientSecret: string },
  step:
    | { kind: 'confirm'; paymentMethod: DevelopmentPaymentMethod }
    | { kind: 'authenticate'; outcome: 'approve' | 'fail' },
  csrfToken: string | null,
): Promise<{ ok: true; state: DevelopmentPaymentState; headers: Headers } | ApiRefusal> {
  const path = `/payments/development/intents/${encodeURIComponent(payment.paymentIntentId)}/${step.kind}`;
  const body =
    step.kind === 'confirm'
      ? { clientSecret: payment.clientSecret, paymentMethod: step.paymentMethod }
      : { clientSecret: payment.clientSecret, outcome: step.outcome };
  const result = await callApi(request, path, DevelopmentPaymentStateSchema, {
    method: 'POST',
    body,
    csrfToken,
  });
  if (!result.ok) return refusal(result, request);
  if (result.data === null) pageError(502);
  return { ok: true, state: result.data, headers: result.headers };
}

function refusal(
  result: { status: number; error: Parameters<typeof formFailure>[0]; headers: Headers },
  request: Request,
): ApiRefusal {
  return {
    ok: false,
    status: result.status,
    failure: formFailure(result.error, requestLocale(request)),
    headers: result.headers,
  };
}

/**
 * Texts of an order that depend on the runtime's locale data (its date, its country's name), made
 * on the server once: the browser never recomputes them, so hydration cannot differ.
 */
export interface OrderTexts {
  placedOn: string;
  countryName: string;
}

/** {@link OrderTexts} of an order in a language. */
export function orderTexts(order: Order, lang: Locale): OrderTexts {
  const intl = INTL_LOCALE[lang];
  return {
    placedOn: new Intl.DateTimeFormat(intl, { dateStyle: 'long', timeZone: 'UTC' }).format(
      new Date(order.createdAt),
    ),
    countryName:
      new Intl.DisplayNames([intl], { type: 'region' }).of(order.shippingAddress.country) ??
      order.shippingAddress.country,
  };
}

/** The delivery countries with their names in a language, for the checkout form (server-made). */
export function countryOptions(
  countries: readonly string[],
  lang: Locale,
): { code: string; name: string }[] {
  const names = new Intl.DisplayNames([INTL_LOCALE[lang]], { type: 'region' });
  return countries.map((code) => ({ code, name: names.of(code) ?? code }));
}
