import type { Cart, Order } from '@storefront/contracts';
import { useIntlLocale, useMessages } from '../i18n/messages';
import { cartMessages } from '../i18n/messages/cart';
import { formatMoney } from '../lib/format';
import { CartTotals } from './cart-summary';

/** The cart's `ok` lines (name × quantity, line total) and its totals, beside the checkout form. */
export function CartOrderSummary({ cart, title }: { cart: Cart; title: string }) {
  const intl = useIntlLocale();
  return (
    <section aria-labelledby="order-summary-title" className="order-summary">
      <h2 id="order-summary-title">{title}</h2>
      <ul className="summary-lines">
        {cart.lines
          .filter((line) => line.status === 'ok')
          .map((line) => (
            <li key={line.id}>
              <span>
                {line.productName} × {line.quantity}
              </span>
              <span>{formatMoney(line.lineTotal, intl)}</span>
            </li>
          ))}
      </ul>
      <CartTotals cart={cart} />
    </section>
  );
}

/**
 * An order's lines and amounts exactly as the API recorded them at checkout (the amounts the
 * customer pays): subtotal, discount, delivery, total and the VAT it includes.
 */
export function OrderAmounts({ order }: { order: Order }) {
  const t = useMessages(cartMessages);
  const intl = useIntlLocale();
  const money = (amount: number) => formatMoney({ amount, currency: order.currency }, intl);
  return (
    <>
      <ul className="summary-lines">
        {order.lines.map((line) => (
          <li key={line.variantId}>
            <span>
              {line.productName} × {line.quantity}
            </span>
            <span>{money(line.lineTotal)}</span>
          </li>
        ))}
      </ul>
      <dl className="cart-totals">
        <div>
          <dt>{t.subtotal}</dt>
          <dd>{money(order.subtotal)}</dd>
        </div>
        {order.discount > 0 ? (
          <div>
            <dt>{t.discount}</dt>
            <dd>{`−${money(order.discount)}`}</dd>
          </div>
        ) : null}
        <div>
          <dt>{t.shippingFee}</dt>
          <dd>{money(order.shipping)}</dd>
        </div>
        <div className="cart-total">
          <dt>{t.total}</dt>
          <dd>{money(order.total)}</dd>
        </div>
        <div className="cart-vat">
          <dt>{t.vatTotal}</dt>
          <dd>{money(order.vat)}</dd>
        </div>
      </dl>
    </>
  );
}
