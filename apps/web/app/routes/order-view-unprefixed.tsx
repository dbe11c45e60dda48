import { redirect } from 'react-router';
import { negotiateLocale } from '../i18n/locale';
import type { Route } from './+types/order-view-unprefixed';

/**
 * `/orders/view` without a language (the link in a guest's order confirmation email): 302 to
 * `/:lang/orders/view` in the browser's language (`Accept-Language`). The order token is in the
 * fragment, which the browser keeps across a redirect whose `Location` has none; the query is
 * not carried (the page takes none), so this is no open redirect.
 */
export function loader({ request }: Route.LoaderArgs) {
  const lang = negotiateLocale(request.headers.get('accept-language'));
  return redirect(`/${lang}/orders/view`, {
    status: 302,
    headers: { Vary: 'Accept-Language', 'Cache-Control': 'no-store' },
  });
}

/** Never rendered (the loader always redirects). */
export default function UnprefixedOrderViewRedirect() {
  return null;
}
