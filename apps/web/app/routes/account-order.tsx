import { OrderListSchema, OrderSchema } from '@storefront/contracts';
import { Link, useLoaderData } from 'react-router';
import { z } from 'zod';
import { AddressLines } from '../components/account-address-form';
import { AccountPage } from '../components/account-ui';
import { useIntlLocale, useLocalePath, useMessages } from '../i18n/messages';
import { accountMessages } from '../i18n/messages/account';
import { formatDate } from '../lib/account-format';
import { ACCOUNT_PATHS } from '../lib/account-paths';
import {
  AccountApi,
  countryNames,
  localeOf,
  requireSignedIn,
  sessionData,
} from '../lib/account.server';
import { formatMoney } from '../lib/format';
import { pageError } from '../lib/http-status.server';
import type { Route } from './+types/account-order';

/** An order reference as the confirmation email writes it (`SO-` and 10 Crockford symbols). */
const ORDER_NUMBER = /^SO-[0-9A-HJKMNP-TV-Z]{10}$/;

/**
 * One of the customer's orders, by id (links of the orders page) or by its number (the link of
 * the confirmation email, `/account/orders/SO-…`, found among the customer's own orders). Any
 * other value, or someone else's order, is this site's 404.
 */
export async function loader(args: Route.LoaderArgs) {
  const lang = localeOf(args.params);
  const api = new AccountApi(args);
  const state = await requireSignedIn(args, api);
  const ref = args.params.ref;
  let id: string;
  if (z.uuid().safeParse(ref).success) {
    id = ref;
  } else if (ORDER_NUMBER.test(ref)) {
    const { orders } = await api.need('/account/orders?limit=100', OrderListSchema);
    const found = orders.find((o) => o.number === ref);
    if (!found) pageError(404);
    id = found.id;
  } else {
    pageError(404);
  }
  const order = await api.need(`/account/orders/${id}`, OrderSchema);
  return { accountSession: sessionData(state), order, countries: countryNames(lang) };
}

/** The order page. */
export default function OrderDetail() {
  const { accountSession, order, countries } = useLoaderData<typeof loader>();
  const t = useMessages(accountMessages);
  const href = useLocalePath();
  const intl = useIntlLocale();
  const money = (amount: number) => formatMoney({ amount, currency: order.currency }, intl);
  return (
    <AccountPage title={t.orders.detailTitle(order.number)} session={accountSession} wide>
      <p>
        <Link to={href(ACCOUNT_PATHS.orders)}>{t.orders.back}</Link>
      </p>
      <p>
        {t.orders.placed(formatDate(order.createdAt, intl))} —{' '}
        <strong>{t.orders.statuses[order.status]}</strong>
      </p>
      <table className="orders-table">
        <thead>
          <tr>
            <th scope="col">{t.orders.product}</th>
            <th scope="col">{t.orders.quantity}</th>
            <th scope="col">{t.orders.unitPrice}</th>
            <th scope="col">{t.orders.lineTotal}</th>
          </tr>
        </thead>
        <tbody>
          {order.lines.map((line) => (
            <tr key={line.variantId}>
              <th scope="row">
                {line.productName} <small>{line.sku}</small>
              </th>
              <td>{line.quantity}</td>
              <td>{money(line.unitPrice)}</td>
              <td>{money(line.lineTotal)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="order-totals">
        <div>
          <dt>{t.orders.subtotal}</dt>
          <dd>{money(order.subtotal)}</dd>
        </div>
        {order.discount > 0 ? (
          <div>
            <dt>{t.orders.discount}</dt>
            <dd>−{money(order.discount)}</dd>
          </div>
        ) : null}
        <div>
          <dt>
            {t.orders.shipping} ({order.shippingMethod})
          </dt>
          <dd>{money(order.shipping)}</dd>
        </div>
        <div className="grand-total">
          <dt>{t.orders.grandTotal}</dt>
          <dd>{money(order.total)}</dd>
        </div>
        <div>
          <dt>{t.orders.vat}</dt>
          <dd>{money(order.vat)}</dd>
        </div>
      </dl>
      <h2>{t.orders.shipTo}</h2>
      <AddressLines address={order.shippingAddress} countries={countries} />
    </AccountPage>
  );
}
