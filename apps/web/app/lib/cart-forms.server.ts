import { data, redirect } from 'react-router';
import { localePath, type Locale } from '../i18n/locale';
import type { CartFormErrorView } from '../components/cart-errors';
import { csrfTokenOf, sessionState } from './api-session.server';
import {
  changeCart,
  hasSessionCookie,
  isUuid,
  postedQuantity,
  postedText,
  type CartChange,
} from './cart-api.server';
import { HTML_CACHE } from './security-headers.server';

/**
 * The form actions of the cart: adding from the product page and every change on the cart page.
 * Each posts one change to the API with the CSRF token of the form; a success redirects (303) to
 * the cart page, a refusal re-renders the form with the API's error code next to its field.
 */

/** What a refused cart form gets back: which form (and line) failed, and why. */
export type CartFormError = CartFormErrorView;

/**
 * The CSRF token a public page (the product page) puts in its add-to-cart form, and how the page
 * may be cached: a visitor without a session cookie gets the public, cacheable page and no token
 * (their first add starts the session, which needs none); with a session the page carries its
 * token, so it is personal and never stored.
 */
export async function publicPageSession(
  request: Request,
): Promise<{ csrfToken: string | null; headers: Headers }> {
  if (!hasSessionCookie(request)) {
    return {
      csrfToken: null,
      headers: new Headers({ 'Cache-Control': HTML_CACHE.publicPage }),
    };
  }
  const { state, headers } = await sessionState(request);
  headers.set('Cache-Control', state.csrfToken ? HTML_CACHE.default : HTML_CACHE.publicPage);
  return { csrfToken: state.csrfToken, headers };
}

/** The change a cart-page form posted (`intent` says which form). */
function postedChange(form: FormData): CartChange | null {
  const intent = form.get('intent');
  const lineId = postedText(form, 'lineId', 64);
  switch (intent) {
    case 'add':
      return {
        kind: 'add',
        variantId: postedText(form, 'variantId', 64),
        quantity: postedQuantity(form.get('quantity')),
      };
    case 'update':
      return { kind: 'update', lineId, quantity: postedQuantity(form.get('quantity')) };
    case 'remove':
      return { kind: 'remove', lineId };
    case 'apply-coupon':
      return { kind: 'apply-coupon', code: postedText(form, 'code', 64) };
    case 'remove-coupon':
      return { kind: 'remove-coupon' };
    case 'shipping':
      return { kind: 'shipping', code: postedText(form, 'shippingMethod', 32) };
    default:
      return null;
  }
}

/**
 * Runs the cart form the request posted (one of the `allowed` kinds) and redirects to
 * `/:lang/cart`, or answers the refusal (with the API's status) for the page to show. Used by the
 * product page (add) and the cart page (the others).
 */
export async function cartFormAction(
  request: Request,
  lang: Locale,
  allowed: readonly CartChange['kind'][],
) {
  const form = await request.formData();
  const change = postedChange(form);
  if (change === null || !allowed.includes(change.kind)) {
    return data<CartFormError>(
      { intent: 'add', failure: { code: 'VALIDATION_FAILED', fields: {} } },
      { status: 400 },
    );
  }
  if (change.kind === 'add' && !isUuid(change.variantId)) {
    return data<CartFormError>(
      {
        intent: 'add',
        failure: { code: 'VALIDATION_FAILED', fields: { variantId: 'Choose an option.' } },
      },
      { status: 400 },
    );
  }
  if ((change.kind === 'update' || change.kind === 'remove') && !isUuid(change.lineId)) {
    return data<CartFormError>(
      { intent: change.kind, failure: { code: 'NOT_FOUND', fields: {} } },
      { status: 404 },
    );
  }
  const result = await changeCart(request, change, csrfTokenOf(form));
  if (result.ok) {
    return redirect(localePath(lang, '/cart'), { status: 303, headers: result.headers });
  }
  return data<CartFormError>(
    {
      intent: change.kind,
      ...(change.kind === 'update' || change.kind === 'remove' ? { lineId: change.lineId } : {}),
      failure: result.failure,
    },
    { status: result.status, headers: result.headers },
  );
}
