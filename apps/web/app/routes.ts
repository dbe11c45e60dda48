import { index, layout, route, type RouteConfig } from '@react-router/dev/routes';
import { checkoutRoutes, unprefixedCheckoutRoutes } from './lib/checkout-routes';
import { accountRoutes, unprefixedAccountRoutes } from './lib/account-routes';

/**
 * The storefront's URL map. Every page lives under its language (`/en/…`, `/fr/…`, see
 * app/i18n/locale.ts); `/` redirects to the browser's language. Everything sits in the pathless
 * `shop` layout, whose error boundary renders 404 and error pages inside the document the root
 * already rendered: a client-side navigation to an error then never re-creates `<script>`
 * elements (React would create them with an `innerHTML` probe that Trusted Types blocks — see
 * apps/web/README.md).
 */
export default [
  // Resource routes (no page): generated from the catalogue and the configured public origin.
  route('sitemap.xml', 'routes/sitemap.ts'),
  route('robots.txt', 'routes/robots.ts'),
  layout('routes/shop.tsx', [
    index('routes/language-redirect.tsx'),
    route(':lang', 'routes/locale.tsx', [
      index('routes/home.tsx'),
      route('c/:slug', 'routes/category.tsx'),
      route('p/:slug', 'routes/product.tsx'),
      ...checkoutRoutes,
      route('search', 'routes/search.tsx'),
      ...accountRoutes,
      route('*', 'routes/not-found.tsx', { id: 'locale-not-found' }),
    ]),
    ...unprefixedAccountRoutes,
    ...unprefixedCheckoutRoutes,
    route('*', 'routes/not-found.tsx'),
  ]),
] satisfies RouteConfig;
