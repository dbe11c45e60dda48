import { randomBytes } from 'node:crypto';
import { JSON_LD_POLICY_NAME } from './json-ld';

/**
 * The page security policy of the storefront, in one place: the per-response nonce, the CSP built
 * around it, and the other headers every HTML response carries. `entry.server.tsx` is the only
 * caller for HTML; `server.mjs` applies {@link BASE_SECURITY_HEADERS} to static files and proxied
 * errors through the server build's exports.
 */

/**
 * A fresh CSP nonce: 128 bits from the CSPRNG, base64. Called once per HTML response and never
 * cached, so a nonce seen in one page is useless for the next.
 */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The Trusted Types policy names the pages may create, each once (no `'allow-duplicates'`), and
 * no `default` policy. React Router's hydration and client-side navigation use no injection sink
 * (scripts are server-rendered with the nonce, route modules load by `import()`), so they need
 * none. `storefront-jsonld` (components/json-ld.tsx) writes structured data into
 * `<script type="application/ld+json">` on client-side navigations and accepts only serialised
 * JSON-LD. Any later need adds a named policy here, with a test.
 */
export const TRUSTED_TYPES_POLICIES: readonly string[] = [JSON_LD_POLICY_NAME];

/** Where browsers send CSP violation reports: the API's `POST /api/csp-reports`, same origin. */
export const CSP_REPORT_PATH = '/api/csp-reports';

/** The Reporting API endpoint name the CSP's `report-to` refers to. */
export const CSP_REPORT_GROUP = 'csp';

/**
 * The Content-Security-Policy of an HTML response. Scripts run only with this response's nonce
 * (`'strict-dynamic'` lets them load the build's modules); no inline or eval; no plugins, no
 * `<base>`, forms post only to this origin, no framing; Trusted Types required for script sinks.
 * Violations are reported to {@link CSP_REPORT_PATH}: by `report-to` (the Reporting API, through
 * the `Reporting-Endpoints` header; Chromium on https pages) and by `report-uri` (every other
 * browser, and plain-http development; browsers that know `report-to` ignore it).
 */
export function contentSecurityPolicy(nonce: string): string {
  const trustedTypes =
    TRUSTED_TYPES_POLICIES.length === 0 ? "'none'" : TRUSTED_TYPES_POLICIES.join(' ');
  return [
    "default-src 'self'",
    `script-src 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self'",
    "img-src 'self' data: https:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    `trusted-types ${trustedTypes}`,
    'upgrade-insecure-requests',
    `report-uri ${CSP_REPORT_PATH}`,
    `report-to ${CSP_REPORT_GROUP}`,
  ].join('; ');
}

/** Headers every response of the web server carries (HTML, data, static files, errors). */
export const BASE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(self)',
};

/**
 * `Cache-Control` of HTML. A page embeds its nonce, so no shared cache may store it (a cached page
 * would replay its nonce to everybody): public pages are `private, no-cache` (the browser may keep
 * them for back/forward, revalidating), errors and anything not declared public are `no-store`.
 */
export const HTML_CACHE = { publicPage: 'private, no-cache', default: 'no-store' } as const;

/** The `Reporting-Endpoints` header of HTML: names the endpoint of the CSP's `report-to`. */
export const REPORTING_ENDPOINTS = `${CSP_REPORT_GROUP}="${CSP_REPORT_PATH}"`;

/**
 * Sets the security headers of an HTML response with its nonce (and the `Reporting-Endpoints`
 * its CSP reports to). A route declares itself a public page by returning
 * `Cache-Control: private, no-cache` from its `headers` export; every other page, and every error
 * status, is `no-store`.
 */
export function applyHtmlSecurityHeaders(headers: Headers, nonce: string, status: number): void {
  for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS)) headers.set(name, value);
  headers.set('Content-Security-Policy', contentSecurityPolicy(nonce));
  headers.set('Reporting-Endpoints', REPORTING_ENDPOINTS);
  headers.set('Content-Type', 'text/html; charset=utf-8');
  const declared = headers.get('Cache-Control');
  headers.set(
    'Cache-Control',
    status < 400 && declared === HTML_CACHE.publicPage ? HTML_CACHE.publicPage : HTML_CACHE.default,
  );
}

/**
 * Per-page security profiles: what a few pages change in the headers above, declared by the page
 * itself (`export const handle = { pageSecurity: 'stripe' }`) and applied by entry.server.tsx after
 * {@link applyHtmlSecurityHeaders}, to that page's document only. Every allowance is listed here,
 * nowhere else, so the whole difference between a page and the rest of the shop reads in one place
 * (and `apps/web/checkout-scripts.json` plus its tests pin the result).
 *
 * - `checkout`: checkout, payment and order pages send no `Referer` at all (the shop's baseline
 *   for payment pages).
 * - `stripe`: the card payment page with Stripe's Payment Element. Stripe.js is loaded from
 *   `https://js.stripe.com` (never bundled or proxied); Stripe's own domains are allowed for its
 *   script (a CSP2 fallback: with `'strict-dynamic'` browsers load it because our nonce'd module
 *   inserts it), its frames (card fields, 3-D Secure) and its API calls; the one Trusted Types
 *   policy `stripe-js` turns exactly Stripe.js's URL into a script URL (lib/payments-stripe.ts);
 *   the Payment Request API is delegated to Stripe's frames (wallets). Trusted Types are
 *   **report-only** on this page alone: Stripe.js is third-party code whose DOM sinks we cannot
 *   verify offline, and Stripe documents only a permissive `default` policy, which we refuse.
 *   Violations are reported (`Content-Security-Policy-Report-Only`), so enforcement can be
 *   switched on (`enforceTrustedTypes`) once a run against real Stripe reports none.
 */
export const PAGE_SECURITY_PROFILES = {
  checkout: {
    referrerPolicy: 'no-referrer',
    sources: {},
    trustedTypesPolicies: [],
    enforceTrustedTypes: true,
    permissionsPolicy: null,
  },
  stripe: {
    referrerPolicy: 'no-referrer',
    sources: {
      'script-src': ['https://js.stripe.com', 'https://*.js.stripe.com'],
      'frame-src': ['https://js.stripe.com', 'https://*.js.stripe.com', 'https://hooks.stripe.com'],
      'connect-src': ['https://api.stripe.com'],
    },
    trustedTypesPolicies: ['stripe-js'],
    enforceTrustedTypes: false,
    permissionsPolicy:
      'camera=(), microphone=(), geolocation=(), payment=(self "https://js.stripe.com")',
  },
} as const satisfies Record<string, PageSecurityProfileRules>;

/** What a profile may change: nothing else of the page policy can be relaxed per page. */
interface PageSecurityProfileRules {
  referrerPolicy: string;
  /** Sources added to CSP directives (a directive missing from the policy is created). */
  sources: Readonly<Record<string, readonly string[]>>;
  /** Trusted Types policy names this page may create, besides {@link TRUSTED_TYPES_POLICIES}. */
  trustedTypesPolicies: readonly string[];
  enforceTrustedTypes: boolean;
  permissionsPolicy: string | null;
}

/** The name of a per-page security profile. */
export type PageSecurityProfile = keyof typeof PAGE_SECURITY_PROFILES;

/** A route's `handle` declaring its security profile. */
export interface PageSecurityHandle {
  pageSecurity: PageSecurityProfile;
}

/**
 * The profile a rendered page declares: the deepest matched route whose `handle.pageSecurity`
 * names a known profile, or null. An unknown name is an error (a typo must not silently fall back).
 */
export function pageSecurityProfileOf(handles: readonly unknown[]): PageSecurityProfile | null {
  for (const handle of [...handles].reverse()) {
    if (typeof handle !== 'object' || handle === null || !('pageSecurity' in handle)) continue;
    const name = handle.pageSecurity;
    if (typeof name === 'string' && Object.hasOwn(PAGE_SECURITY_PROFILES, name)) {
      return name as PageSecurityProfile;
    }
    throw new Error(`unknown page security profile: ${String(name)}`);
  }
  return null;
}

/**
 * Applies a page's profile to headers already set by {@link applyHtmlSecurityHeaders}: adds the
 * profile's sources and Trusted Types policy names to the CSP, sets its Referrer-Policy and
 * Permissions-Policy, and — where Trusted Types are not enforced — moves
 * `require-trusted-types-for` into a report-only policy (keeping the enforced one's reporting).
 */
export function applyPageSecurityProfile(headers: Headers, profile: PageSecurityProfile): void {
  const rules: PageSecurityProfileRules = PAGE_SECURITY_PROFILES[profile];
  headers.set('Referrer-Policy', rules.referrerPolicy);
  if (rules.permissionsPolicy !== null) headers.set('Permissions-Policy', rules.permissionsPolicy);
  const directives = new Map<string, string[]>();
  for (const part of (headers.get('Content-Security-Policy') ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name, values);
  }
  for (const [name, added] of Object.entries(rules.sources)) {
    const current = directives.get(name) ?? [...(directives.get('default-src') ?? [])];
    directives.set(name, [...current, ...added.filter((s) => !current.includes(s))]);
  }
  if (rules.trustedTypesPolicies.length > 0) {
    const current = (directives.get('trusted-types') ?? []).filter((v) => v !== "'none'");
    directives.set('trusted-types', [...current, ...rules.trustedTypesPolicies]);
  }
  if (!rules.enforceTrustedTypes) {
    const required = directives.get('require-trusted-types-for');
    directives.delete('require-trusted-types-for');
    if (required) {
      const reportOnly = [`require-trusted-types-for ${required.join(' ')}`];
      for (const name of ['report-uri', 'report-to']) {
        const values = directives.get(name);
        if (values) reportOnly.push(`${name} ${values.join(' ')}`);
      }
      headers.set('Content-Security-Policy-Report-Only', reportOnly.join('; '));
    }
  }
  headers.set(
    'Content-Security-Policy',
    [...directives].map(([name, values]) => [name, ...values].join(' ')).join('; '),
  );
}
