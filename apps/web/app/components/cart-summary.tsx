import type { Cart } from '@storefront/contracts';
import { useIntlLocale, useMessages } from '../i18n/messages';
import { cartMessages } from '../i18n/messages/cart';
import { formatMoney } from '../lib/format';

/** A VAT rate in basis points as a localised percentage (2000 → "20%", 550 → "5.5%"). */
export function formatVatRate(basisPoints: number, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }).format(
    basisPoints / 10_000,
  );
}

/** A shipping method's name in the page's language (the API's name for an unknown code). */
export function useShippingName(): (code: string, apiName: string) => string {
  const t = useMessages(cartMessages);
  return (code, apiName) => t.shippingNames[code] ?? apiName;
}

/**
 * The cart's totals exactly as the API priced them: subtotal, discount, delivery, the VAT included
 * per rate, total. Nothing is added up here.
 */
export function CartTotals({ cart }: { cart: Cart }) {
  const t = useMessages(cartMessages);
  const intl = useIntlLocale();
  return (
    <dl className="cart-totals">
      <div>
        <dt>{t.subtotal}</dt>
        <dd>{formatMoney(cart.subtotal, intl)}</dd>
      </div>
      {cart.discount.amount > 0 ? (
        <div>
          <dt>{t.discount}</dt>
          <dd>{`−${formatMoney(cart.discount, intl)}`}</dd>
        </div>
      ) : null}
      <div>
        <dt>{t.shippingFee}</dt>
        <dd>{cart.shipping ? formatMoney(cart.shipping, intl) : t.shippingNotChosen}</dd>
      </div>
      <div className="cart-total">
        <dt>{t.total}</dt>
        <dd>{formatMoney(cart.total, intl)}</dd>
      </div>
      {cart.vat.map((v) => (
        <div key={v.rateBasisPoints} className="cart-vat">
          <dt>{t.vatAt(formatVatRate(v.rateBasisPoints, intl))}</dt>
          <dd>{formatMoney(v.amount, intl)}</dd>
        </div>
      ))}
    </dl>
  );
}
