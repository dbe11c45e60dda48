import { Outlet } from 'react-router';
import { isLocale } from '../i18n/locale';
import { pageError } from '../lib/http-status.server';
import type { Route } from './+types/locale';

/** `/:lang/…`: an unsupported language segment is a 404 (so `/nowhere` is one too). */
export function loader({ params }: Route.LoaderArgs) {
  if (!isLocale(params.lang)) pageError(404);
  return null;
}

/** The pages of one language. */
export default function LocaleLayout() {
  return <Outlet />;
}
