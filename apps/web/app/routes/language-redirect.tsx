import { redirect } from 'react-router';
import { negotiateLocale } from '../i18n/locale';
import type { Route } from './+types/language-redirect';

/**
 * `/`: sends the visitor to the home page in the browser's language (`Accept-Language`). The answer
 * depends on that header, so it says so (`Vary`) and is never stored.
 */
export function loader({ request }: Route.LoaderArgs) {
  return redirect(`/${negotiateLocale(request.headers.get('accept-language'))}`, {
    status: 302,
    headers: { Vary: 'Accept-Language', 'Cache-Control': 'no-store' },
  });
}

/** Never rendered (the loader always redirects). */
export default function LanguageRedirect() {
  return null;
}
