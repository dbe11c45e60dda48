import type { ProductDetail } from '@storefront/contracts';
import { Form, useNavigation } from 'react-router';
import { useIntlLocale, useMessages } from '../i18n/messages';
import { cartMessages } from '../i18n/messages/cart';
import { formatMoney } from '../lib/format';
import { CsrfField } from './form-fields';
import { cartErrorText, type CartFormErrorView } from './cart-errors';

/** The variant's options as a label ("size: M, colour: red"), or its SKU. */
export function variantLabel(variant: ProductDetail['variants'][number]): string {
  return (
    Object.entries(variant.options)
      .map(([name, value]) => `${name}: ${value}`)
      .join(', ') || variant.sku
  );
}

/**
 * The product page's add-to-cart form: one radio per variant (sold-out ones disabled), a quantity
 * and the session's CSRF token. It posts to the product route's action (works without
 * JavaScript); the API's refusal (unavailable, quantity, limit) shows next to the field it is
 * about. Nothing but the variant id and the quantity is sent: prices come from the API.
 */
export function CartAddForm({
  product,
  csrfToken,
  error,
}: {
  product: ProductDetail;
  csrfToken: string | null;
  error: CartFormErrorView | undefined;
}) {
  const t = useMessages(cartMessages);
  const intl = useIntlLocale();
  const busy = useNavigation().state === 'submitting';
  const firstAvailable = product.variants.find((v) => v.stockStatus !== 'out_of_stock');
  const failure = error?.failure;
  const quantityError =
    failure &&
    (failure.fields['quantity'] !== undefined ||
      failure.code === 'CART_ITEM_UNAVAILABLE' ||
      failure.code === 'CART_LIMIT_EXCEEDED')
      ? cartErrorText(t, failure, 'quantity')
      : undefined;
  const variantError = failure?.fields['variantId'] !== undefined ? t.errors['variant'] : undefined;
  const formError =
    failure && quantityError === undefined && variantError === undefined
      ? cartErrorText(t, failure)
      : undefined;
  return (
    <Form method="post" className="cart-add" aria-labelledby="cart-add-title">
      <h2 id="cart-add-title">{t.addToCartTitle}</h2>
      <CsrfField token={csrfToken} />
      <input type="hidden" name="intent" value="add" />
      {formError ? (
        <p className="form-error" role="alert">
          {formError}
        </p>
      ) : null}
      <fieldset
        className={variantError ? 'variant-choice invalid' : 'variant-choice'}
        aria-describedby={variantError ? 'variant-error' : undefined}
      >
        <legend>{t.chooseVariant}</legend>
        {product.variants.map((v) => (
          <label key={v.id} className="variant-option">
            <input
              type="radio"
              name="variantId"
              value={v.id}
              defaultChecked={v.id === firstAvailable?.id}
              disabled={v.stockStatus === 'out_of_stock'}
              required
            />{' '}
            {variantLabel(v)} — {formatMoney(v.price, intl)}
            {v.stockStatus === 'out_of_stock' ? ` (${t.soldOut})` : null}
          </label>
        ))}
        {variantError ? (
          <p id="variant-error" className="field-error">
            {variantError}
          </p>
        ) : null}
      </fieldset>
      <div className={quantityError ? 'field invalid' : 'field'}>
        <label htmlFor="cart-add-quantity">{t.quantity}</label>
        <input
          id="cart-add-quantity"
          name="quantity"
          type="number"
          inputMode="numeric"
          min={1}
          step={1}
          defaultValue={1}
          required
          aria-invalid={quantityError ? true : undefined}
          aria-describedby={quantityError ? 'cart-add-quantity-error' : undefined}
        />
        {quantityError ? (
          <p id="cart-add-quantity-error" className="field-error">
            {quantityError}
          </p>
        ) : null}
      </div>
      <button type="submit" disabled={busy || firstAvailable === undefined}>
        {t.addToCart}
      </button>
    </Form>
  );
}
