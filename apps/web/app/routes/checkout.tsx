import { SHIPPING_COUNTRIES, type CheckoutRequest } from '@storefront/contracts';
import {
  data,
  Form,
  Link,
  redirectDocument,
  useActionData,
  useLoaderData,
  useNavigation,
} from 'react-router';
import { useShippingName } from '../components/cart-summary';
import { CartOrderSummary } from '../components/checkout-summary';
import { CsrfField, Field } from '../components/form-fields';
import { isLocale, localePath } from '../i18n/locale';
import { useIntlLocale, useLocale, useLocalePath, useMessages } from '../i18n/messages';
import { checkoutMessages } from '../i18n/messages/checkout';
import { csrfTokenOf, sessionState, type FormFailure } from '../lib/api-session.server';
import { loadCart, postedText } from '../lib/cart-api.server';
import { countryOptions, newCheckoutKey, placeOrder } from '../lib/checkout-api.server';
import { paymentPagePath } from '../lib/checkout-paths';
import { formatMoney } from '../lib/format';
import { pageError } from '../lib/http-status.server';
import type { PageSecurityHandle } from '../lib/security-headers.server';
import type { Route } from './+types/checkout';

/** Checkout pages send no `Referer` anywhere (see lib/page-security.ts). */
export const handle: PageSecurityHandle = { pageSecurity: 'checkout' };

/** The address and contact fields of the form, as the API's checkout contract names them. */
const ADDRESS_FIELDS = ['fullName', 'line1', 'line2', 'postalCode', 'city', 'country', 'phone'];

/** What the form posted, echoed back on a refusal so nothing typed is lost. */
type CheckoutValues = Record<string, string>;

/** A refused checkout: the API's code and field issues, what was typed, and the same key. */
interface CheckoutFailure {
  failure: FormFailure;
  values: CheckoutValues;
  checkoutKey: string;
}

/**
 * `/:lang/checkout`: the cart priced by the API, and the form that turns it into an order (guests
 * give an email). A fresh checkout key per page makes a double submit one order.
 */
export async function loader({ request, params }: Route.LoaderArgs) {
  if (!isLocale(params.lang)) pageError(404);
  const [{ cart, headers }, session] = await Promise.all([
    loadCart(request),
    sessionState(request),
  ]);
  return data(
    {
      cart,
      guest: !session.state.authenticated,
      csrfToken: cart.csrfToken ?? session.state.csrfToken,
      checkoutKey: newCheckoutKey(),
      countries: countryOptions(SHIPPING_COUNTRIES, params.lang),
    },
    { headers },
  );
}

/**
 * Places the order with what the form posted — address, delivery method, email (guests), the
 * checkout key — and nothing else: amounts come from the API. Then the payment page, loaded as a
 * new document so it gets its own security headers (Stripe's allowances exist on its page only).
 */
export async function action({ request, params }: Route.ActionArgs) {
  if (!isLocale(params.lang)) pageError(404);
  const lang = params.lang;
  const form = await request.formData();
  const values: CheckoutValues = {};
  for (const name of [...ADDRESS_FIELDS, 'email', 'shippingMethod']) {
    values[name] = postedText(form, name, 256);
  }
  const checkoutKey = postedText(form, 'checkoutKey', 64);
  const optional = (name: string) => (values[name] ? { [name]: values[name] } : {});
  const body = {
    checkoutKey,
    shippingAddress: {
      fullName: values['fullName'] ?? '',
      line1: values['line1'] ?? '',
      ...optional('line2'),
      postalCode: values['postalCode'] ?? '',
      city: values['city'] ?? '',
      country: values['country'] ?? '',
      ...optional('phone'),
    },
    shippingMethod: values['shippingMethod'] ?? '',
    ...optional('email'),
    locale: lang,
  } as CheckoutRequest;
  const result = await placeOrder(request, body, csrfTokenOf(form));
  if (!result.ok) {
    return data<CheckoutFailure>(
      { failure: result.failure, values, checkoutKey },
      { status: result.status, headers: result.headers },
    );
  }
  const { orderId, payment } = result.checkout;
  return redirectDocument(localePath(lang, paymentPagePath(orderId, payment.provider)), {
    status: 303,
    headers: result.headers,
  });
}

export function meta({ params }: Route.MetaArgs) {
  return [{ title: params.lang === 'fr' ? 'Commande — Storefront' : 'Checkout — Storefront' }];
}

/** The checkout form beside the order summary. */
export default function CheckoutPage() {
  const { cart, guest, csrfToken, checkoutKey, countries } = useLoaderData<typeof loader>();
  const refused = useActionData<CheckoutFailure>();
  const t = useMessages(checkoutMessages);
  const href = useLocalePath();
  const locale = useLocale();
  const intl = useIntlLocale();
  const shippingName = useShippingName();
  const busy = useNavigation().state !== 'idle';
  if (cart.lines.length === 0) {
    return (
      <section className="checkout" aria-labelledby="checkout-title">
        <h1 id="checkout-title">{t.title}</h1>
        <p>{t.emptyCart}</p>
        <p>
          <Link to={href('/cart')}>{t.backToCart}</Link>
        </p>
      </section>
    );
  }
  const values = refused?.values ?? {};
  const fieldError = (name: string): string | undefined => {
    const issues = refused?.failure.fields ?? {};
    const issue = issues[name] ?? issues[`shippingAddress.${name}`];
    return issue === undefined ? undefined : (t.fieldErrors[name] ?? issue);
  };
  const code = refused?.failure.code;
  const formError = code ? (t.errors[code] ?? t.errors['generic']) : undefined;
  const defaultCountry = values['country'] || (locale === 'fr' ? 'FR' : 'IE');
  // The cart's method, else the first one offered (so the form is complete from the start).
  const chosenMethod =
    values['shippingMethod'] || cart.shippingMethod || cart.shippingMethods[0]?.code || '';
  return (
    <section className="checkout" aria-labelledby="checkout-title">
      <h1 id="checkout-title">{t.title}</h1>
      <div className="checkout-layout">
        <Form method="post" className="checkout-form" noValidate={false}>
          {formError ? (
            <div className="form-error" role="alert">
              <p>{formError}</p>
              {code === 'CART_ITEM_UNAVAILABLE' || code === 'COUPON_NOT_APPLICABLE' ? (
                <p>
                  <Link to={href('/cart')}>{t.backToCart}</Link>
                </p>
              ) : null}
            </div>
          ) : null}
          <CsrfField token={csrfToken} />
          <input type="hidden" name="checkoutKey" value={refused?.checkoutKey ?? checkoutKey} />
          {guest ? (
            <fieldset>
              <legend>{t.contact}</legend>
              <Field
                name="email"
                label={t.email}
                hint={t.emailHint}
                type="email"
                autoComplete="email"
                required
                maxLength={254}
                defaultValue={values['email']}
                error={fieldError('email')}
              />
            </fieldset>
          ) : null}
          <fieldset>
            <legend>{t.address}</legend>
            <Field
              name="fullName"
              label={t.fullName}
              autoComplete="name"
              required
              maxLength={100}
              defaultValue={values['fullName']}
              error={fieldError('fullName')}
            />
            <Field
              name="line1"
              label={t.line1}
              autoComplete="address-line1"
              required
              maxLength={200}
              defaultValue={values['line1']}
              error={fieldError('line1')}
            />
            <Field
              name="line2"
              label={t.line2}
              autoComplete="address-line2"
              maxLength={200}
              defaultValue={values['line2']}
              error={fieldError('line2')}
            />
            <Field
              name="postalCode"
              label={t.postalCode}
              autoComplete="postal-code"
              required
              maxLength={12}
              defaultValue={values['postalCode']}
              error={fieldError('postalCode')}
            />
            <Field
              name="city"
              label={t.city}
              autoComplete="address-level2"
              required
              maxLength={100}
              defaultValue={values['city']}
              error={fieldError('city')}
            />
            <div className={fieldError('country') ? 'field invalid' : 'field'}>
              <label htmlFor="field-country">{t.country}</label>
              <select
                id="field-country"
                name="country"
                autoComplete="country"
                required
                defaultValue={defaultCountry}
                aria-invalid={fieldError('country') ? true : undefined}
                aria-describedby={fieldError('country') ? 'field-country-error' : undefined}
              >
                {countries.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name}
                  </option>
                ))}
              </select>
              {fieldError('country') ? (
                <p id="field-country-error" className="field-error">
                  {fieldError('country')}
                </p>
              ) : null}
            </div>
            <Field
              name="phone"
              label={t.phone}
              type="tel"
              autoComplete="tel"
              maxLength={20}
              defaultValue={values['phone']}
              error={fieldError('phone')}
            />
          </fieldset>
          <fieldset
            aria-describedby={fieldError('shippingMethod') ? 'shipping-method-error' : undefined}
          >
            <legend>{t.shipping}</legend>
            {cart.shippingMethods.map((m) => (
              <label key={m.code} className="radio-option">
                <input
                  type="radio"
                  name="shippingMethod"
                  value={m.code}
                  defaultChecked={m.code === chosenMethod}
                  required
                />{' '}
                {shippingName(m.code, m.name)} — {formatMoney(m.fee, intl)}
              </label>
            ))}
            {fieldError('shippingMethod') ? (
              <p id="shipping-method-error" className="field-error">
                {fieldError('shippingMethod')}
              </p>
            ) : null}
          </fieldset>
          <p className="field-hint">{t.totalConfirmed}</p>
          <button type="submit" disabled={busy || !cart.checkoutReady}>
            {t.placeOrder}
          </button>
        </Form>
        <CartOrderSummary cart={cart} title={t.yourOrder} />
      </div>
    </section>
  );
}
