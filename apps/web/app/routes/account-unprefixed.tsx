import { redirect } from 'react-router';
import { negotiateLocale } from '../i18n/locale';
import type { Route } from './+types/account-unprefixed';

/**
 * `/account/…` and `/admin/accept-invitation` without a language: 302 to the same path and query
 * in the browser's language (`Accept-Language`). Only this fixed family of paths is redirected,
 * always to this site, so it is no open redirect; the emailed token stays in the fragment, which
 * the browser carries over to the new address.
 */
export function loader({ request }: Route.LoaderArgs) {
  const url = new URL(request.url);
  const lang = negotiateLocale(request.headers.get('accept-language'));
  return redirect(`/${lang}${url.pathname}${url.search}`, {
    status: 302,
    headers: { Vary: 'Accept-Language', 'Cache-Control': 'no-store' },
  });
}

/** Never rendered (the loader always redirects). */
export default function UnprefixedAccountRedirect() {
  return null;
}
