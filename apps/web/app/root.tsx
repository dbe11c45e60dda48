import type { ReactNode } from 'react';
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteError } from 'react-router';
import { ErrorPage } from './components/error-page';
import { SiteHeader } from './components/site-header';
import { useLocale, useMessages } from './i18n/messages';
import { commonMessages } from './i18n/messages/common';
import stylesheet from './app.css?url';

/**
 * The stylesheet, served from the build's own origin (CSP `style-src 'self'`). `precedence` makes
 * React write it at the top of `<head>`, before the modules' preloads: the first paint waits for
 * it, so it must not queue behind the scripts.
 */
export const links = () => [
  { rel: 'stylesheet', href: stylesheet, precedence: 'default' },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
];

/**
 * The document shell of every page, error pages included. `<Scripts>` and `<ScrollRestoration>`
 * take their nonce from `<ServerRouter nonce>` (entry.server.tsx): no nonce is passed here.
 */
export function Layout({ children }: { children: ReactNode }) {
  const t = useMessages(commonMessages);
  return (
    <html lang={useLocale()}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          {t.skipToContent}
        </a>
        <SiteHeader />
        <main id="main">{children}</main>
        <footer className="site-footer">
          <p>{t.footer}</p>
        </footer>
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

/** The matched page. */
export default function App() {
  return <Outlet />;
}

/**
 * Last-resort error page, for an error in the document shell itself. Page errors (404 included) are
 * rendered by the `shop` layout's boundary instead, which keeps the document — and its scripts —
 * in place.
 */
export function ErrorBoundary() {
  return <ErrorPage error={useRouteError()} />;
}
