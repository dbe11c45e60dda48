import { DEVELOPMENT_PAYMENT_METHODS } from '@storefront/contracts';
import {
  data,
  Form,
  Link,
  redirect,
  redirectDocument,
  useActionData,
  useLoaderData,
  useNavigation,
} from 'react-router';
import { OrderAmounts } from '../components/checkout-summary';
import { CsrfField } from '../components/form-fields';
import { isLocale, localePath } from '../i18n/locale';
import { useIntlLocale, useLocalePath, useMessages } from '../i18n/messages';
import { checkoutMessages } from '../i18n/messages/checkout';
import { csrfTokenOf, sessionState, type FormFailure } from '../lib/api-session.server';
import {
  developmentPaymentStep,
  isDevelopmentPaymentMethod,
  loadPlacedOrder,
} from '../lib/checkout-api.server';
import { confirmationPath, paymentPagePath } from '../lib/checkout-paths';
import { formatMoney } from '../lib/format';
import { pageError } from '../lib/http-status.server';
import type { PageSecurityHandle } from '../lib/security-headers.server';
import type { Route } from './+types/checkout-payment';

/** Checkout pages send no `Referer` anywhere (lib/security-headers.server.ts). */
export const handle: PageSecurityHandle = { pageSecurity: 'checkout' };

/** A refused payment step: the card was declined, or the API refused the step. */
interface PaymentRefusal {
  declineCode?: string | null;
  failure?: FormFailure;
}

/**
 * `/:lang/checkout/:orderId/pay`: pays an order with the development payment provider (what the
 * test stack runs; production refuses it): the shopper picks one of Stripe's test cards —
 * success, decline, 3-D Secure — and this server confirms the PaymentIntent through the API, the
 * part Stripe.js plays with Stripe. Works without JavaScript. The intent's client secret never
 * reaches the browser here. An order that is not the visitor's is a 404.
 */
export async function loader({ request, params }: Route.LoaderArgs) {
  if (!isLocale(params.lang)) pageError(404);
  const { placed, headers } = await loadPlacedOrder(request, params.orderId);
  const { order, payment, paymentStatus } = placed;
  if (order.status !== 'pending_payment') {
    return redirect(localePath(params.lang, confirmationPath(order.id)), { headers });
  }
  if (payment?.provider === 'stripe') {
    return redirectDocument(localePath(params.lang, paymentPagePath(order.id, 'stripe')), {
      headers,
    });
  }
  const { state } = await sessionState(request);
  return data(
    {
      order,
      paymentStatus,
      payable: payment !== null,
      csrfToken: state.csrfToken,
      // Passed as data: the contracts module (and zod) stays out of the browser bundle.
      testCards: DEVELOPMENT_PAYMENT_METHODS,
    },
    { headers },
  );
}

/**
 * One payment step: `pay` with the chosen test card, or `authenticate` (the simulated 3-D Secure
 * answer). Success goes to the confirmation page, 3-D Secure back here for the challenge, a
 * decline re-renders this page with the reason.
 */
export async function action({ request, params }: Route.ActionArgs) {
  if (!isLocale(params.lang)) pageError(404);
  const lang = params.lang;
  const form = await request.formData();
  const { placed } = await loadPlacedOrder(request, params.orderId);
  const here = localePath(lang, paymentPagePath(placed.order.id, 'development'));
  const confirmation = localePath(lang, confirmationPath(placed.order.id));
  if (placed.order.status !== 'pending_payment') return redirect(confirmation, 303);
  if (placed.payment?.provider !== 'development') return redirect(here, 303);
  const intent = form.get('intent');
  const paymentMethod = form.get('paymentMethod');
  const outcome = form.get('outcome');
  let step: Parameters<typeof developmentPaymentStep>[2];
  if (intent === 'pay' && isDevelopmentPaymentMethod(paymentMethod)) {
    step = { kind: 'confirm', paymentMethod };
  } else if (intent === 'authenticate' && (outcome === 'approve' || outcome === 'fail')) {
    step = { kind: 'authenticate', outcome };
  } else {
    return data<PaymentRefusal>(
      { failure: { code: 'VALIDATION_FAILED', fields: {} } },
      { status: 400 },
    );
  }
  const result = await developmentPaymentStep(request, placed.payment, step, csrfTokenOf(form));
  if (!result.ok) {
    return data<PaymentRefusal>(
      { failure: result.failure },
      { status: result.status, headers: result.headers },
    );
  }
  switch (result.state.status) {
    case 'requires_action':
      return redirect(here, { status: 303, headers: result.headers });
    case 'requires_payment_method':
      return data<PaymentRefusal>(
        { declineCode: result.state.declineCode },
        { status: 402, headers: result.headers },
      );
    default:
      // Succeeded (the order is paid by the payment event, as with Stripe), or processing.
      return redirect(confirmation, { status: 303, headers: result.headers });
  }
}

export function meta({ params }: Route.MetaArgs) {
  return [{ title: params.lang === 'fr' ? 'Paiement — Storefront' : 'Payment — Storefront' }];
}

/** The amount due, the order's summary, and the test-card form or the 3-D Secure challenge. */
export default function DevelopmentPaymentPage() {
  const { order, paymentStatus, payable, csrfToken, testCards } = useLoaderData<typeof loader>();
  const refused = useActionData<PaymentRefusal>();
  const t = useMessages(checkoutMessages);
  const href = useLocalePath();
  const intl = useIntlLocale();
  const busy = useNavigation().state !== 'idle';
  const amount = formatMoney({ amount: order.total, currency: order.currency }, intl);
  const error =
    refused?.declineCode === 'payment_intent_authentication_failure'
      ? t.authenticationFailed
      : refused?.declineCode !== undefined
        ? t.declined
        : refused?.failure
          ? (t.errors[refused.failure.code] ?? t.errors['generic'])
          : undefined;
  return (
    <section className="checkout payment" aria-labelledby="payment-title">
      <h1 id="payment-title">{t.payTitle}</h1>
      <p className="order-number">{t.orderNumber(order.number)}</p>
      <p className="amount-due">
        {t.amountDue}: <strong>{amount}</strong>
      </p>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {!payable ? (
        <p>
          {t.processing} <Link to={href(confirmationPath(order.id))}>{t.seeOrder}</Link>
        </p>
      ) : paymentStatus === 'requires_action' ? (
        <Form method="post" className="payment-form" aria-labelledby="secure-title">
          <h2 id="secure-title">{t.secureTitle}</h2>
          <p>{t.secureText}</p>
          <CsrfField token={csrfToken} />
          <input type="hidden" name="intent" value="authenticate" />
          <div className="button-row">
            <button type="submit" name="outcome" value="approve" disabled={busy}>
              {t.approve}
            </button>
            <button type="submit" name="outcome" value="fail" disabled={busy}>
              {t.fail}
            </button>
          </div>
        </Form>
      ) : (
        <Form method="post" className="payment-form">
          <p className="notice">{t.developmentNotice}</p>
          <CsrfField token={csrfToken} />
          <input type="hidden" name="intent" value="pay" />
          <fieldset>
            <legend>{t.testCard}</legend>
            {testCards.map((method, i) => (
              <label key={method} className="radio-option">
                <input
                  type="radio"
                  name="paymentMethod"
                  value={method}
                  defaultChecked={i === 0}
                  required
                />{' '}
                {t.testCards[method]}
              </label>
            ))}
          </fieldset>
          <button type="submit" disabled={busy}>
            {t.pay(amount)}
          </button>
        </Form>
      )}
      <section aria-labelledby="payment-summary-title" className="order-summary">
        <h2 id="payment-summary-title">{t.yourOrder}</h2>
        <OrderAmounts order={order} />
      </section>
    </section>
  );
}
