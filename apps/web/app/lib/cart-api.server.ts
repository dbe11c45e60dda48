import { CartSchema, type Cart } from '@storefront/contracts';
import { callApi, formFailure, requestLocale, type FormFailure } from './api-session.server';
import { pageError } from './http-status.server';

/**
 * The visitor's cart through the API (`/api/cart`): read it, change it. The web server never
 * computes an amount and never names a cart: the API finds the cart through the session cookie it
 * receives, prices it from the database and answers with the whole cart, totals included.
 */

/** The API's session cookie (set by the API, relayed unchanged by `callApi`). */
const SESSION_COOKIE = /(?:^|;\s*)__Host-sid=[^;]/;

/**
 * Whether the visitor sent a session cookie. Without one there is no session, hence no CSRF
 * token to put in a form, and a public page need not ask the API (nor become personal).
 */
export function hasSessionCookie(request: Request): boolean {
  return SESSION_COOKIE.test(request.headers.get('cookie') ?? '');
}

/** The visitor's priced cart (`GET /api/cart`, which starts no session) and headers to relay. */
export async function loadCart(request: Request): Promise<{ cart: Cart; headers: Headers }> {
  const result = await callApi(request, '/cart', CartSchema);
  if (!result.ok || result.data === null) pageError(502);
  return { cart: result.data, headers: result.headers };
}

/** One change of the cart, as the API's routes take it. */
export type CartChange =
  | { kind: 'add'; variantId: string; quantity: number | string }
  | { kind: 'update'; lineId: string; quantity: number | string }
  | { kind: 'remove'; lineId: string }
  | { kind: 'apply-coupon'; code: string }
  | { kind: 'remove-coupon' }
  | { kind: 'shipping'; code: string };

/** What a change ended with: the new cart, or the API's refusal for the form. */
export type CartChangeResult =
  | { ok: true; cart: Cart; headers: Headers }
  | { ok: false; status: number; failure: FormFailure; headers: Headers };

/**
 * Sends one change to the API with the CSRF token the form posted. Ids are checked to be uuids
 * before they go into a path. Only the fields each route takes are sent: whatever else a form
 * carried (a price, a total…) is never read.
 */
export async function changeCart(
  request: Request,
  change: CartChange,
  csrfToken: string | null,
): Promise<CartChangeResult> {
  let method: 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  let path: string;
  let body: unknown;
  switch (change.kind) {
    case 'add':
      [method, path, body] = [
        'POST',
        '/cart/lines',
        { variantId: change.variantId, quantity: change.quantity },
      ];
      break;
    case 'update':
      [method, path, body] = ['PATCH', lineIdPath(change.lineId), { quantity: change.quantity }];
      break;
    case 'remove':
      [method, path, body] = ['DELETE', lineIdPath(change.lineId), undefined];
      break;
    case 'apply-coupon':
      [method, path, body] = ['POST', '/cart/coupon', { code: change.code }];
      break;
    case 'remove-coupon':
      [method, path, body] = ['DELETE', '/cart/coupon', undefined];
      break;
    case 'shipping':
      [method, path, body] = ['PUT', '/cart/shipping-method', { code: change.code }];
      break;
  }
  const result = await callApi(request, path, CartSchema, { method, body, csrfToken });
  if (result.ok && result.data !== null) {
    return { ok: true, cart: result.data, headers: result.headers };
  }
  if (result.ok) pageError(502);
  return {
    ok: false,
    status: result.status,
    failure: formFailure(result.error, requestLocale(request)),
    headers: result.headers,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a posted value is a uuid (ids of variants, lines and orders). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

function lineIdPath(lineId: string): string {
  // The line id comes from a form: only a uuid may become part of the API path.
  if (!isUuid(lineId)) pageError(400);
  return `/cart/lines/${lineId}`;
}

/**
 * A quantity as posted: whole numbers become JSON numbers; anything else is passed on as the
 * string it is, for the API to refuse with its own validation error next to the field.
 */
export function postedQuantity(value: FormDataEntryValue | null): number | string {
  const text = typeof value === 'string' ? value.trim() : '';
  return /^\d{1,4}$/.test(text) ? Number(text) : text.slice(0, 16);
}

/** A posted text field, trimmed and bounded (the API validates the content). */
export function postedText(form: FormData, name: string, max = 256): string {
  const value = form.get(name);
  return typeof value === 'string' ? value.trim().slice(0, max) : '';
}
