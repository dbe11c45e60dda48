import type { Order } from '@storefront/contracts';
import { useMessages } from '../i18n/messages';
import { ordersMessages } from '../i18n/messages/orders';
import { OrderAmounts } from './checkout-summary';
import { useShippingName } from './cart-summary';

/**
 * One order as the API returned it: number, status, date, items and amounts, delivery address
 * and method. Used by the confirmation page and a guest's order page.
 */
export function OrderDetails({
  order,
  texts,
}: {
  order: Order;
  /** The date and country name, formatted by the server (lib/checkout-api.server.ts). */
  texts: { placedOn: string; countryName: string };
}) {
  const t = useMessages(ordersMessages);
  const shippingName = useShippingName();
  const address = order.shippingAddress;
  return (
    <div className="order-details">
      <dl className="order-facts">
        <div>
          <dt>{t.orderNumber}</dt>
          <dd>{order.number}</dd>
        </div>
        <div>
          <dt>{t.status}</dt>
          <dd className={`order-status ${order.status}`}>{t.statuses[order.status]}</dd>
        </div>
        <div>
          <dt>{t.placedOn}</dt>
          <dd>
            <time dateTime={order.createdAt}>{texts.placedOn}</time>
          </dd>
        </div>
      </dl>
      <section aria-labelledby="order-items-title">
        <h2 id="order-items-title">{t.items}</h2>
        <OrderAmounts order={order} />
      </section>
      <section aria-labelledby="order-delivery-title">
        <h2 id="order-delivery-title">{t.deliveryTo}</h2>
        <address>
          {address.fullName}
          <br />
          {address.line1}
          {address.line2 ? (
            <>
              <br />
              {address.line2}
            </>
          ) : null}
          <br />
          {address.postalCode} {address.city}
          <br />
          {texts.countryName}
        </address>
        <p>
          {t.deliveryMethod}: {shippingName(order.shippingMethod, order.shippingMethod)}
        </p>
      </section>
    </div>
  );
}
