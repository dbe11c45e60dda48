import { OrderListSchema } from '@storefront/contracts';
import { Link, useLoaderData } from 'react-router';
import { AccountPage } from '../components/account-ui';
import { useIntlLocale, useLocalePath, useMessages } from '../i18n/messages';
import { accountMessages } from '../i18n/messages/account';
import { formatDate } from '../lib/account-format';
import { ACCOUNT_PATHS } from '../lib/account-paths';
import { AccountApi, localeOf, requireSignedIn, sessionData } from '../lib/account.server';
import { formatMoney } from '../lib/format';
import type { Route } from './+types/account-orders';

/** The customer's orders, newest first (`GET /api/account/orders`: only the caller's own). */
export async function loader(args: Route.LoaderArgs) {
  localeOf(args.params);
  const api = new AccountApi(args);
  const state = await requireSignedIn(args, api);
  const { orders } = await api.need('/account/orders?limit=50', OrderListSchema);
  return { accountSession: sessionData(state), orders };
}

/** The orders page. */
export default function Orders() {
  const { accountSession, orders } = useLoaderData<typeof loader>();
  const t = useMessages(accountMessages);
  const href = useLocalePath();
  const intl = useIntlLocale();
  return (
    <AccountPage title={t.orders.title} session={accountSession} wide>
      {orders.length === 0 ? (
        <p>{t.orders.none}</p>
      ) : (
        <table className="orders-table">
          <thead>
            <tr>
              <th scope="col">{t.orders.number}</th>
              <th scope="col">{t.orders.date}</th>
              <th scope="col">{t.orders.status}</th>
              <th scope="col">{t.orders.items}</th>
              <th scope="col">{t.orders.total}</th>
            </tr>
          </thead>
          <tbody>
            {orders.map((order) => (
              <tr key={order.id}>
                <th scope="row">
                  <Link to={href(`${ACCOUNT_PATHS.orders}/${order.id}`)}>{order.number}</Link>
                </th>
                <td>{formatDate(order.createdAt, intl)}</td>
                <td>{t.orders.statuses[order.status]}</td>
                <td>{order.itemCount}</td>
                <td>{formatMoney({ amount: order.total, currency: order.currency }, intl)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </AccountPage>
  );
}
