import { data, Link, redirect, useLoaderData } from 'react-router';
import { OrderDetails } from '../components/checkout-order-details';
import { isLocale } from '../i18n/locale';
import { useLocalePath, useMessages } from '../i18n/messages';
import { ordersMessages } from '../i18n/messages/orders';
import { loadPlacedOrder, orderTexts } from '../lib/checkout-api.server';
import { paymentPagePath } from '../lib/checkout-paths';
import { pageError } from '../lib/http-status.server';
import type { PageSecurityHandle } from '../lib/security-headers.server';
import type { Route } from './+types/order-confirmation';

/** Order pages send no `Referer` anywhere (lib/security-headers.server.ts). */
export const handle: PageSecurityHandle = { pageSecurity: 'checkout' };

/**
 * `/:lang/orders/:orderId/confirmation`: after the payment (also Stripe's `return_url`), the
 * order's state as the API has it — paid only once the payment event was processed, never because
 * the browser came back. Only the visitor's own order (a customer's, or a guest's from this
 * session's cart); any other is a 404. Stripe appends the PaymentIntent and its client secret to
 * the return URL: they are never read, and the page redirects to its clean URL so they leave the
 * address bar and history.
 */
export async function loader({ request, params }: Route.LoaderArgs) {
  if (!isLocale(params.lang)) pageError(404);
  const url = new URL(request.url);
  if (url.search !== '')
    return redirect(url.pathname, { headers: { 'Cache-Control': 'no-store' } });
  const { placed, headers } = await loadPlacedOrder(request, params.orderId);
  return data(
    {
      order: placed.order,
      texts: orderTexts(placed.order, params.lang),
      payable: placed.payment !== null,
      provider: placed.payment?.provider,
    },
    { headers },
  );
}

/** While the payment is being confirmed, the page reloads itself every few seconds. */
export function meta({ params, loaderData }: Route.MetaArgs) {
  const page = loaderData as typeof loaderData | undefined;
  const title = params.lang === 'fr' ? 'Confirmation de commande' : 'Order confirmation';
  const waiting = page?.order.status === 'pending_payment' && !page.payable;
  return [
    { title: `${title} — Storefront` },
    ...(waiting ? [{ httpEquiv: 'refresh', content: '3' }] : []),
  ];
}

/** Thanks and the order when paid; the payment's state otherwise. */
export default function OrderConfirmationPage() {
  const { order, texts, payable, provider } = useLoaderData<typeof loader>();
  const t = useMessages(ordersMessages);
  const href = useLocalePath();
  const paid = order.status !== 'pending_payment' && order.status !== 'cancelled';
  return (
    <section className="order-confirmation" aria-labelledby="confirmation-title">
      <h1 id="confirmation-title">{paid ? t.thanks : t.confirmationTitle}</h1>
      {paid ? (
        <p role="status">{t.paidText(order.number)}</p>
      ) : order.status === 'cancelled' ? (
        <p role="status">{t.cancelledText(order.number)}</p>
      ) : payable ? (
        <p role="status">
          {t.unpaidText(order.number)}{' '}
          <Link to={href(paymentPagePath(order.id, provider ?? 'development'))} reloadDocument>
            {t.payNow}
          </Link>
        </p>
      ) : (
        <p role="status">
          {t.pendingText(order.number)}{' '}
          <Link to={href(`/orders/${order.id}/confirmation`)} reloadDocument>
            {t.refresh}
          </Link>
        </p>
      )}
      <OrderDetails order={order} texts={texts} />
      <p>
        <Link to={href('/')}>{t.continueShopping}</Link>
      </p>
    </section>
  );
}
