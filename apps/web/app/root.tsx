import type { ReactNode } from 'react';
import { Link, Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteError } from 'react-router';
import { ErrorPage } from './components/error-page';
import stylesheet from './app.css?url';

/** The stylesheet, served from the build's own origin (CSP `style-src 'self'`). */
export const links = () => [
  { rel: 'stylesheet', href: stylesheet },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
];

/**
 * The document shell of every page, error pages included. `<Scripts>` and `<ScrollRestoration>`
 * take their nonce from `<ServerRouter nonce>` (entry.server.tsx): no nonce is passed here.
 */
export function Layout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <Link to="/" className="brand">
            Storefront
          </Link>
        </header>
        <main id="main">{children}</main>
        <footer className="site-footer">
          <p>Storefront — an open-source reference shop.</p>
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
