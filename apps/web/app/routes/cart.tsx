import type { Cart, CartLine } from '@storefront/contracts';
import { data, Form, Link, useActionData, useLoaderData, useNavigation } from 'react-router';
import { cartErrorText, type CartFormErrorView } from '../components/cart-errors';
import { CartTotals, useShippingName } from '../components/cart-summary';
import { CsrfField } from '../components/form-fields';
import { isLocale } from '../i18n/locale';
import { useIntlLocale, useLocalePath, useMessages } from '../i18n/messages';
import { cartMessages } from '../i18n/messages/cart';
import { loadCart } from '../lib/cart-api.server';
import { cartFormAction } from '../lib/cart-forms.server';
import { formatMoney } from '../lib/format';
import { pageError } from '../lib/http-status.server';
import type { Route } from './+types/cart';

/**
 * The cart page (`/:lang/cart`): the visitor's cart as the API priced it. Personal, so never
 * stored (`no-store`, the default of pages that do not declare themselves public).
 */
export async function loader({ request, params }: Route.LoaderArgs) {
  if (!isLocale(params.lang)) pageError(404);
  const { cart, headers } = await loadCart(request);
  return data({ cart }, { headers });
}

/** Every cart form (quantity, remove, coupon, delivery): one change, then back to this page. */
export async function action({ request, params }: Route.ActionArgs) {
  if (!isLocale(params.lang)) pageError(404);
  return cartFormAction(request, params.lang, [
    'update',
    'remove',
    'apply-coupon',
    'remove-coupon',
    'shipping',
  ]);
}

export function meta({ params }: Route.MetaArgs) {
  return [{ title: params.lang === 'fr' ? 'Votre panier — Storefront' : 'Your cart — Storefront' }];
}

/** The cart: lines with quantity and remove forms, discount code, delivery method, totals. */
export default function CartPage() {
  const { cart } = useLoaderData<typeof loader>();
  const error = useActionData<CartFormErrorView>();
  const t = useMessages(cartMessages);
  const href = useLocalePath();
  if (cart.lines.length === 0) {
    return (
      <section className="cart" aria-labelledby="cart-title">
        <h1 id="cart-title">{t.title}</h1>
        <p>{t.empty}</p>
        <p>
          <Link to={href('/')}>{t.continueShopping}</Link>
        </p>
      </section>
    );
  }
  const generalError =
    error && (error.intent === 'add' || error.failure.code === 'CSRF_REJECTED')
      ? cartErrorText(t, error.failure)
      : undefined;
  return (
    <section className="cart" aria-labelledby="cart-title">
      <h1 id="cart-title">{t.title}</h1>
      {generalError ? (
        <p className="form-error" role="alert">
          {generalError}
        </p>
      ) : null}
      <ul className="cart-lines">
        {cart.lines.map((line) => (
          <CartLineItem
            key={line.id}
            line={line}
            csrfToken={cart.csrfToken}
            error={error?.lineId === line.id ? error : undefined}
          />
        ))}
      </ul>
      <div className="cart-side">
        <CouponForm cart={cart} error={error?.intent.endsWith('coupon') ? error : undefined} />
        <ShippingForm cart={cart} error={error?.intent === 'shipping' ? error : undefined} />
        <section aria-labelledby="cart-summary-title" className="cart-summary">
          <h2 id="cart-summary-title">{t.summary}</h2>
          <CartTotals cart={cart} />
          {cart.checkoutReady ? (
            <Link to={href('/checkout')} className="button-link" reloadDocument>
              {t.checkout}
            </Link>
          ) : (
            <p className="form-error">{t.notReady}</p>
          )}
        </section>
      </div>
    </section>
  );
}

/** One line: product, options, unit price, status, quantity form, remove form, line total. */
function CartLineItem({
  line,
  csrfToken,
  error,
}: {
  line: CartLine;
  csrfToken: string | null;
  error: CartFormErrorView | undefined;
}) {
  const t = useMessages(cartMessages);
  const href = useLocalePath();
  const intl = useIntlLocale();
  const busy = useNavigation().state === 'submitting';
  const options = Object.entries(line.options)
    .map(([name, value]) => `${name}: ${value}`)
    .join(', ');
  const quantityId = `quantity-${line.id}`;
  const errorText = error
    ? cartErrorText(t, error.failure, error.intent === 'update' ? 'quantity' : undefined)
    : undefined;
  return (
    <li className={line.status === 'ok' ? 'cart-line' : 'cart-line attention'}>
      <div className="cart-line-product">
        <Link to={href(`/p/${line.productSlug}`)}>{line.productName}</Link>
        {options ? <span className="cart-line-options">{options}</span> : null}
        <span className="cart-line-unit">
          {t.unitPrice}: {formatMoney(line.unitPrice, intl)}
        </span>
        {line.status !== 'ok' ? <p className="line-status">{t.lineStatus[line.status]}</p> : null}
      </div>
      <Form method="post" className="cart-line-quantity">
        <CsrfField token={csrfToken} />
        <input type="hidden" name="intent" value="update" />
        <input type="hidden" name="lineId" value={line.id} />
        <label htmlFor={quantityId}>{t.quantityOf(line.productName)}</label>
        <input
          key={line.quantity}
          id={quantityId}
          name="quantity"
          type="number"
          inputMode="numeric"
          min={1}
          step={1}
          defaultValue={line.quantity}
          required
          aria-invalid={errorText ? true : undefined}
          aria-describedby={errorText ? `${quantityId}-error` : undefined}
        />
        <button type="submit" disabled={busy}>
          {t.update}
        </button>
        {errorText ? (
          <p id={`${quantityId}-error`} className="field-error">
            {errorText}
          </p>
        ) : null}
      </Form>
      <Form method="post" className="cart-line-remove">
        <CsrfField token={csrfToken} />
        <input type="hidden" name="intent" value="remove" />
        <input type="hidden" name="lineId" value={line.id} />
        <button type="submit" disabled={busy} aria-label={t.removeItem(line.productName)}>
          {t.remove}
        </button>
      </Form>
      <p className="cart-line-total">
        <span className="visually-hidden">{t.lineTotal}: </span>
        {formatMoney(line.lineTotal, intl)}
      </p>
    </li>
  );
}

/** The discount code: the attached code and its state with a remove button, or the apply form. */
function CouponForm({ cart, error }: { cart: Cart; error: CartFormErrorView | undefined }) {
  const t = useMessages(cartMessages);
  const intl = useIntlLocale();
  const busy = useNavigation().state === 'submitting';
  const errorText = error ? cartErrorText(t, error.failure, 'code') : undefined;
  return (
    <section aria-labelledby="coupon-title" className="cart-coupon">
      <h2 id="coupon-title">{t.coupon}</h2>
      {cart.coupon ? (
        <Form method="post">
          <CsrfField token={cart.csrfToken} />
          <input type="hidden" name="intent" value="remove-coupon" />
          <p>
            {t.couponApplied(cart.coupon.codeHint)}{' '}
            {cart.coupon.status === 'applied' ? null : (
              <span className="line-status">
                {t.couponStatus[cart.coupon.status]}
                {cart.coupon.status === 'minimum-not-reached'
                  ? ` ${formatMoney(cart.coupon.minimumSubtotal, intl)}`
                  : null}
              </span>
            )}
          </p>
          <button type="submit" disabled={busy}>
            {t.removeCoupon}
          </button>
          {errorText ? (
            <p className="field-error" role="alert">
              {errorText}
            </p>
          ) : null}
        </Form>
      ) : (
        <Form method="post" className="inline-form">
          <CsrfField token={cart.csrfToken} />
          <input type="hidden" name="intent" value="apply-coupon" />
          <div className={errorText ? 'field invalid' : 'field'}>
            <label htmlFor="coupon-code">{t.couponCode}</label>
            <input
              id="coupon-code"
              name="code"
              type="text"
              autoComplete="off"
              spellCheck={false}
              maxLength={64}
              required
              aria-invalid={errorText ? true : undefined}
              aria-describedby={errorText ? 'coupon-code-error' : undefined}
            />
            {errorText ? (
              <p id="coupon-code-error" className="field-error">
                {errorText}
              </p>
            ) : null}
          </div>
          <button type="submit" disabled={busy}>
            {t.applyCoupon}
          </button>
        </Form>
      )}
    </section>
  );
}

/** The delivery method: one radio per method the API offers, with its fee. */
function ShippingForm({ cart, error }: { cart: Cart; error: CartFormErrorView | undefined }) {
  const t = useMessages(cartMessages);
  const intl = useIntlLocale();
  const shippingName = useShippingName();
  const busy = useNavigation().state === 'submitting';
  return (
    <section aria-labelledby="shipping-title" className="cart-shipping">
      <h2 id="shipping-title">{t.shipping}</h2>
      <Form method="post">
        <CsrfField token={cart.csrfToken} />
        <input type="hidden" name="intent" value="shipping" />
        <fieldset aria-describedby={error ? 'shipping-error' : undefined}>
          <legend>{t.shippingMethod}</legend>
          {cart.shippingMethods.map((m) => (
            <label key={m.code} className="radio-option">
              <input
                type="radio"
                name="shippingMethod"
                value={m.code}
                defaultChecked={m.code === cart.shippingMethod}
                required
              />{' '}
              {shippingName(m.code, m.name)} — {formatMoney(m.fee, intl)}
            </label>
          ))}
        </fieldset>
        {error ? (
          <p id="shipping-error" className="field-error">
            {cartErrorText(t, error.failure)}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {t.chooseShipping}
        </button>
      </Form>
    </section>
  );
}
