import { GuestOrderAccessSchema, OrderSchema, type Order } from '@storefront/contracts';
import { useEffect, useRef } from 'react';
import {
  data,
  Form,
  Link,
  useActionData,
  useLoaderData,
  useNavigation,
  useSubmit,
} from 'react-router';
import { OrderDetails } from '../components/checkout-order-details';
import { CsrfField } from '../components/form-fields';
import { isLocale } from '../i18n/locale';
import { useLocalePath, useMessages } from '../i18n/messages';
import { ordersMessages } from '../i18n/messages/orders';
import { callApi, csrfTokenOf, sessionState } from '../lib/api-session.server';
import { hasSessionCookie } from '../lib/cart-api.server';
import { orderTexts, type OrderTexts } from '../lib/checkout-api.server';
import { pageError } from '../lib/http-status.server';
import type { PageSecurityHandle } from '../lib/security-headers.server';
import type { Route } from './+types/order-view';

/** Order pages send no `Referer` anywhere (lib/security-headers.server.ts). */
export const handle: PageSecurityHandle = { pageSecurity: 'checkout' };

/** What opening the order gave: the order, or why not. */
type OrderAccess =
  { order: Order; texts: OrderTexts } | { error: 'invalid' | 'format' | 'rate' | 'csrf' | 'other' };

/**
 * `/:lang/orders/view`: a guest's order, opened with the token of the link in their order
 * confirmation email (`…/orders/view#token=…`). The token travels in the URL fragment, which the
 * browser never sends to a server: a small script reads it, removes it from the address bar and
 * posts it to this page's action, which asks the API (`POST /api/orders/guest-access`). Without
 * JavaScript the page shows a form to paste the link. Personal: never stored.
 */
export async function loader({ request, params }: Route.LoaderArgs) {
  if (!isLocale(params.lang)) pageError(404);
  if (!hasSessionCookie(request)) return { csrfToken: null };
  const { state, headers } = await sessionState(request);
  return data({ csrfToken: state.csrfToken }, { headers });
}

/**
 * The token from a pasted link (`…#token=…`, `…?token=…`) or the bare token, if it has the
 * shape of one; null otherwise.
 */
function tokenFrom(posted: string): string | null {
  const match = /(?:[#?&]token=)?([A-Za-z0-9_-]{43,256})\s*$/.exec(posted.trim());
  const token = match?.[1] ?? null;
  return token !== null && GuestOrderAccessSchema.safeParse({ token }).success ? token : null;
}

/** Opens the order with the posted token (or link). */
export async function action({ request, params }: Route.ActionArgs) {
  if (!isLocale(params.lang)) pageError(404);
  const form = await request.formData();
  const posted = form.get('token');
  const token = typeof posted === 'string' ? tokenFrom(posted.slice(0, 2048)) : null;
  if (token === null) return data<OrderAccess>({ error: 'format' }, { status: 400 });
  const result = await callApi(request, '/orders/guest-access', OrderSchema, {
    method: 'POST',
    body: { token },
    csrfToken: csrfTokenOf(form),
  });
  if (result.ok && result.data !== null) {
    return data<OrderAccess>(
      { order: result.data, texts: orderTexts(result.data, params.lang) },
      { headers: result.headers },
    );
  }
  const status = result.status;
  const error =
    status === 404 || status === 400
      ? 'invalid'
      : status === 429
        ? 'rate'
        : !result.ok && result.error.code === 'CSRF_REJECTED'
          ? 'csrf'
          : 'other';
  return data<OrderAccess>({ error }, { status, headers: result.headers });
}

export function meta({ params }: Route.MetaArgs) {
  return [
    { title: params.lang === 'fr' ? 'Votre commande — Storefront' : 'Your order — Storefront' },
  ];
}

/** The order once opened; before that, the paste form (and, with JavaScript, the automatic open). */
export default function GuestOrderPage() {
  const { csrfToken } = useLoaderData<typeof loader>();
  const access = useActionData<OrderAccess>();
  const t = useMessages(ordersMessages);
  const href = useLocalePath();
  const submit = useSubmit();
  const navigation = useNavigation();
  const opened = useRef(false);
  useEffect(() => {
    // Once: read the token from the fragment, take it out of the address bar, post it.
    if (opened.current) return;
    opened.current = true;
    const token = new URLSearchParams(window.location.hash.slice(1)).get('token');
    if (!token) return;
    const path = window.location.pathname;
    window.history.replaceState(window.history.state, '', path);
    const form = new FormData();
    form.set('token', token);
    if (csrfToken) form.set('_csrf', csrfToken);
    // To the path alone, so the router's own location drops the fragment too.
    void submit(form, { method: 'post', action: path, replace: true });
  }, [csrfToken, submit]);

  if (access && 'order' in access) {
    return (
      <section className="order-view" aria-labelledby="order-view-title">
        <h1 id="order-view-title">{t.viewTitle}</h1>
        <OrderDetails order={access.order} texts={access.texts} />
        <p>
          <Link to={href('/')}>{t.continueShopping}</Link>
        </p>
      </section>
    );
  }
  const error = access
    ? {
        invalid: t.invalidLink,
        format: t.linkFormat,
        rate: t.tooMany,
        csrf: t.sessionChanged,
        other: t.generic,
      }[access.error]
    : undefined;
  const busy = navigation.state !== 'idle';
  return (
    <section className="order-view" aria-labelledby="order-view-title">
      <h1 id="order-view-title">{t.viewTitle}</h1>
      <p>{t.viewIntro}</p>
      {busy ? <p role="status">{t.opening}</p> : null}
      <Form method="post" className="order-view-form">
        <CsrfField token={csrfToken} />
        <div className={error ? 'field invalid' : 'field'}>
          <label htmlFor="order-link">{t.link}</label>
          <p id="order-link-hint" className="field-hint">
            {t.linkHint}
          </p>
          <input
            id="order-link"
            name="token"
            type="text"
            autoComplete="off"
            spellCheck={false}
            required
            maxLength={2048}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'order-link-hint order-link-error' : 'order-link-hint'}
          />
          {error ? (
            <p id="order-link-error" className="field-error">
              {error}
            </p>
          ) : null}
        </div>
        <button type="submit" disabled={busy}>
          {t.open}
        </button>
      </Form>
    </section>
  );
}
