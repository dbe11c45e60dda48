import { LOCALES } from '../i18n/locale';
import { BASE_SECURITY_HEADERS } from '../lib/security-headers.server';
import { absoluteUrl } from '../lib/seo';
import { publicBaseUrl } from '../lib/seo.server';

/**
 * `/robots.txt`: crawlers may index the catalogue (home, categories, products) and are asked to
 * stay out of personal pages (account, cart, checkout), the API and search results (endless,
 * thin pages; they are also `noindex`), and are pointed at the sitemap. A request, not a control:
 * the personal pages are protected by the session, never by this file.
 */

/** Page areas crawlers are asked not to visit, in every language. */
export const DISALLOWED_AREAS = ['account', 'cart', 'checkout', 'search'] as const;

/** How long robots.txt may be kept (it changes only with the configuration). */
const ROBOTS_MAX_AGE_SECONDS = 86_400;

/** The robots.txt text for a public origin. */
export function robotsTxt(origin: string): string {
  return [
    'User-agent: *',
    'Disallow: /api/',
    ...LOCALES.flatMap((lang) => DISALLOWED_AREAS.map((area) => `Disallow: /${lang}/${area}`)),
    'Allow: /',
    '',
    `Sitemap: ${absoluteUrl(origin, '/sitemap.xml')}`,
    '',
  ].join('\n');
}

/** The file, public and cacheable. */
export function loader() {
  return new Response(robotsTxt(publicBaseUrl()), {
    headers: {
      ...BASE_SECURITY_HEADERS,
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': `public, max-age=${String(ROBOTS_MAX_AGE_SECONDS)}`,
    },
  });
}
