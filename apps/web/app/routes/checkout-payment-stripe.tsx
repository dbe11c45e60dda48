import { useEffect, useRef, useState, type FormEvent } from 'react';
import { data, Link, redirect, redirectDocument, useLoaderData } from 'react-router';
import { OrderAmounts } from '../components/checkout-summary';
import { isLocale, localePath } from '../i18n/locale';
import { useIntlLocale, useLocale, useLocalePath, useMessages } from '../i18n/messages';
import { checkoutMessages } from '../i18n/messages/checkout';
import { loadPlacedOrder } from '../lib/checkout-api.server';
import { confirmationPath, paymentPagePath } from '../lib/checkout-paths';
import { formatMoney } from '../lib/format';
import { pageError } from '../lib/http-status.server';
import {
  loadStripeJs,
  useDocumentNavigationOnly,
  type StripeElements,
  type StripeJs,
} from '../lib/payments-stripe';
import type { PageSecurityHandle } from '../lib/security-headers.server';
import type { Route } from './+types/checkout-payment-stripe';

/**
 * The one page whose security profile lets Stripe.js in (lib/security-headers.server.ts, profile
 * `stripe`); it is always entered and left by full document loads.
 */
export const handle: PageSecurityHandle = { pageSecurity: 'stripe' };

/**
 * `/:lang/checkout/:orderId/card`: pays an order with Stripe's Payment Element. The loader hands
 * the browser the PaymentIntent's client secret and the publishable key (what Stripe.js needs);
 * Stripe runs 3-D Secure and returns to the confirmation page, which shows the order as the API
 * has it (paid only by Stripe's signed webhook). An order that is not the visitor's is a 404.
 */
export async function loader({ request, params }: Route.LoaderArgs) {
  if (!isLocale(params.lang)) pageError(404);
  const { placed, headers } = await loadPlacedOrder(request, params.orderId);
  const { order, payment } = placed;
  const confirmation = localePath(params.lang, confirmationPath(order.id));
  if (order.status !== 'pending_payment') return redirectDocument(confirmation, { headers });
  if (payment?.provider === 'development') {
    return redirect(localePath(params.lang, paymentPagePath(order.id, 'development')), {
      headers,
    });
  }
  const stripe =
    payment && payment.publishableKey !== null
      ? { publishableKey: payment.publishableKey, clientSecret: payment.clientSecret }
      : null;
  return data({ order, stripe, confirmation }, { headers });
}

export function meta({ params }: Route.MetaArgs) {
  return [{ title: params.lang === 'fr' ? 'Paiement — Storefront' : 'Payment — Storefront' }];
}

type FormState = 'loading' | 'ready' | 'unavailable' | 'submitting';

/** The amount due, Stripe's Payment Element and the pay button; the order's summary. */
export default function StripePaymentPage() {
  const { order, stripe: keys, confirmation } = useLoaderData<typeof loader>();
  const t = useMessages(checkoutMessages);
  const href = useLocalePath();
  const locale = useLocale();
  const intl = useIntlLocale();
  const mountPoint = useRef<HTMLDivElement>(null);
  const stripe = useRef<{ stripe: StripeJs; elements: StripeElements } | null>(null);
  const [state, setState] = useState<FormState>('loading');
  const [error, setError] = useState<string | null>(null);
  const amount = formatMoney({ amount: order.total, currency: order.currency }, intl);
  useDocumentNavigationOnly('form[data-stripe-payment]');

  useEffect(() => {
    if (keys === null || mountPoint.current === null) return;
    const target = mountPoint.current;
    let element: { destroy(): void } | null = null;
    let cancelled = false;
    loadStripeJs()
      .then((Stripe) => {
        if (cancelled) return;
        const instance = Stripe(keys.publishableKey, { locale });
        const elements = instance.elements({ clientSecret: keys.clientSecret });
        const payment = elements.create('payment');
        payment.on('ready', () => {
          setState('ready');
        });
        payment.mount(target);
        element = payment;
        stripe.current = { stripe: instance, elements };
      })
      .catch(() => {
        setState('unavailable');
      });
    return () => {
      cancelled = true;
      element?.destroy();
    };
  }, [keys, locale]);

  const pay = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (stripe.current === null || state !== 'ready') return;
    setState('submitting');
    setError(null);
    const { error: failed } = await stripe.current.stripe.confirmPayment({
      elements: stripe.current.elements,
      confirmParams: { return_url: new URL(confirmation, window.location.origin).href },
    });
    // Only reached when the payment did not go through (otherwise Stripe redirects).
    setError(
      failed?.message && (failed.type === 'card_error' || failed.type === 'validation_error')
        ? failed.message
        : t.cardFailed,
    );
    setState('ready');
  };

  return (
    <section className="checkout payment" aria-labelledby="payment-title">
      <h1 id="payment-title">{t.payTitle}</h1>
      <p className="order-number">{t.orderNumber(order.number)}</p>
      <p className="amount-due">
        {t.amountDue}: <strong>{amount}</strong>
      </p>
      {keys === null ? (
        <p>
          {t.processing}{' '}
          <Link to={href(confirmationPath(order.id))} reloadDocument>
            {t.seeOrder}
          </Link>
        </p>
      ) : (
        <form
          method="post"
          className="payment-form"
          data-stripe-payment=""
          aria-labelledby="card-title"
          onSubmit={(event) => void pay(event)}
        >
          <h2 id="card-title">{t.cardTitle}</h2>
          <p className="field-hint">{t.cardHint}</p>
          <noscript>
            <p className="form-error">{t.cardNeedsScript}</p>
          </noscript>
          <div ref={mountPoint} className="stripe-payment-element" />
          {state === 'loading' ? <p role="status">{t.cardLoading}</p> : null}
          {state === 'unavailable' ? (
            <p className="form-error" role="alert">
              {t.cardUnavailable}
            </p>
          ) : null}
          {error ? (
            <p className="form-error" role="alert">
              {error}
            </p>
          ) : null}
          <button type="submit" disabled={state !== 'ready'}>
            {t.pay(amount)}
          </button>
        </form>
      )}
      <section aria-labelledby="payment-summary-title" className="order-summary">
        <h2 id="payment-summary-title">{t.yourOrder}</h2>
        <OrderAmounts order={order} />
      </section>
    </section>
  );
}
