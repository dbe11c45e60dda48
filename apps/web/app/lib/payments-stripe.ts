import { useEffect } from 'react';

/**
 * Stripe.js in the browser, for the card payment page only (`routes/checkout-payment-stripe.tsx`,
 * security profile `stripe`). PCI DSS SAQ A: card data is typed into Stripe's iframes and never
 * reaches this shop; Stripe.js is always loaded from Stripe, never bundled, proxied or
 * self-hosted, and is listed in `apps/web/checkout-scripts.json`. Client-only code.
 */

/**
 * The one script this module loads: Stripe.js of the release train matching the API's Stripe
 * API version (`endive`). Changing it means updating the script inventory too (a test compares).
 */
export const STRIPE_JS_URL = 'https://js.stripe.com/endive/stripe.js';

/** The Trusted Types policy that turns exactly {@link STRIPE_JS_URL} into a script URL. */
export const STRIPE_JS_POLICY = 'stripe-js';

/** What this shop uses of Stripe.js (a deliberately small surface). */
export interface StripeJs {
  elements(options: { clientSecret: string; appearance?: object }): StripeElements;
  confirmPayment(options: {
    elements: StripeElements;
    confirmParams: { return_url: string };
  }): Promise<{ error?: { type: string; message?: string } }>;
}
export interface StripeElements {
  create(type: 'payment'): StripePaymentElement;
}
export interface StripePaymentElement {
  mount(element: HTMLElement): void;
  on(event: 'ready', handler: () => void): void;
  destroy(): void;
}
type StripeFactory = (publishableKey: string, options?: { locale?: string }) => StripeJs;

interface TrustedTypesLike {
  createPolicy(
    name: string,
    rules: { createScriptURL(input: string): string },
  ): { createScriptURL(input: string): unknown };
}

let policy: { createScriptURL(input: string): unknown } | null = null;
let loading: Promise<StripeFactory> | null = null;

/**
 * Loads Stripe.js once (a `<script>` from {@link STRIPE_JS_URL}, allowed by the page's nonce'd
 * module under `'strict-dynamic'`, its URL made by the `stripe-js` Trusted Types policy, which
 * refuses any other URL) and returns the `Stripe` factory.
 */
export function loadStripeJs(): Promise<StripeFactory> {
  const existing = (window as unknown as { Stripe?: StripeFactory }).Stripe;
  if (existing) return Promise.resolve(existing);
  loading ??= new Promise<StripeFactory>((resolve, reject) => {
    const trustedTypes = (window as unknown as { trustedTypes?: TrustedTypesLike }).trustedTypes;
    policy ??=
      trustedTypes?.createPolicy(STRIPE_JS_POLICY, {
        createScriptURL(input) {
          if (input !== STRIPE_JS_URL) throw new TypeError('Only Stripe.js may be loaded here.');
          return input;
        },
      }) ?? null;
    const script = document.createElement('script');
    // A TrustedScriptURL where Trusted Types exist, the plain URL elsewhere.
    script.src = (policy ? policy.createScriptURL(STRIPE_JS_URL) : STRIPE_JS_URL) as string;
    script.async = true;
    script.addEventListener('load', () => {
      const factory = (window as unknown as { Stripe?: StripeFactory }).Stripe;
      if (factory) resolve(factory);
      else reject(new Error('Stripe.js did not define Stripe'));
    });
    script.addEventListener('error', () => {
      loading = null;
      script.remove();
      reject(new Error('Stripe.js could not be loaded'));
    });
    document.head.append(script);
  });
  return loading;
}

/**
 * While the Stripe page is open, leaving it is always a full document load: links and other
 * forms bypass the client-side router, so the next page gets its own, stricter headers instead of
 * inheriting this document's Stripe allowances (a CSP belongs to a document, not to a URL).
 * `keep` marks the form this page handles itself (the payment form).
 */
export function useDocumentNavigationOnly(keep: string): void {
  useEffect(() => {
    const onClick = (event: MouseEvent) => {
      const target = event.target instanceof Element ? event.target.closest('a[href]') : null;
      if (target) event.stopPropagation();
    };
    const onSubmit = (event: SubmitEvent) => {
      const form = event.target instanceof HTMLFormElement ? event.target : null;
      if (form && !form.matches(keep)) event.stopPropagation();
    };
    window.addEventListener('click', onClick, true);
    window.addEventListener('submit', onSubmit, true);
    return () => {
      window.removeEventListener('click', onClick, true);
      window.removeEventListener('submit', onSubmit, true);
    };
  }, [keep]);
}
