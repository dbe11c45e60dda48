import { expect, test, type Page, type Response } from '@playwright/test';
import { expectNoProblems, hydrated, watchProblems } from '../support/page-problems';
import {
  CHECKOUT_INVENTORY,
  inventoryEntryOf,
  pinnedHeaders,
} from '../../../apps/web/test/cart-checkout-inventory';

/**
 * PCI DSS v4.0.1 6.4.3 / 11.6.1 in Chromium: the checkout, payment and order pages load only the
 * scripts listed for them in apps/web/checkout-scripts.json, request nothing from another origin
 * (Stripe's card page: Stripe.js only), run every inline script with the response's nonce, and
 * send exactly the security headers that file pins. Any change of either fails here until the
 * inventory is reviewed and updated.
 */

type PageKind = 'checkout' | 'stripe';

/** Everything a tab loads, to be judged against the inventory page by page. */
class LoadRecorder {
  readonly scripts: string[] = [];
  readonly foreign: string[] = [];
  readonly documents = new Map<string, Response>();

  constructor(
    page: Page,
    private readonly origin: string,
  ) {
    page.on('request', (request) => {
      const url = request.url();
      if (request.resourceType() === 'script') this.scripts.push(url);
      if (!url.startsWith('data:') && new URL(url).origin !== origin) this.foreign.push(url);
    });
    page.on('response', (response) => {
      if (response.request().resourceType() === 'document') {
        this.documents.set(new URL(response.url()).pathname, response);
      }
    });
  }

  /** Starts a new page of the journey: what loads from now on belongs to it. */
  reset(): void {
    this.scripts.length = 0;
    this.foreign.length = 0;
  }

  /** The page loaded only inventoried scripts, and nothing from another origin but those. */
  expectInventoried(kind: PageKind, label: string): void {
    expect(this.scripts.length, `${label}: scripts loaded`).toBeGreaterThan(0);
    for (const url of this.scripts) {
      expect(inventoryEntryOf(kind, url, this.origin), `${label} loaded ${url}`).not.toBeNull();
    }
    for (const url of this.foreign) {
      expect(inventoryEntryOf(kind, url, this.origin), `${label} requested ${url}`).not.toBeNull();
    }
  }

  /** The document of `path` was answered with exactly the pinned headers of its kind. */
  async expectPinnedHeaders(kind: PageKind, path: string): Promise<void> {
    const response = this.documents.get(path);
    expect(response, `a document response for ${path}`).toBeDefined();
    const headers = (await response?.allHeaders()) ?? {};
    expect(
      pinnedHeaders(kind, (name) => headers[name]),
      path,
    ).toEqual(CHECKOUT_INVENTORY.pages[kind].headers);
  }
}

/** Every `<script>` of the page is an inventoried file or carries the response's nonce. */
async function expectScriptElementsInventoried(page: Page, kind: PageKind): Promise<void> {
  const scripts = await page.evaluate(() =>
    [...document.scripts].map((s) => ({ src: s.src, nonce: s.nonce })),
  );
  for (const script of scripts) {
    if (script.src) {
      expect(inventoryEntryOf(kind, script.src, new URL(page.url()).origin), script.src).not.toBe(
        null,
      );
    } else expect(script.nonce, 'an inline script without the nonce').not.toBe('');
  }
}

/** Adds a product to the cart and fills the guest checkout; ends on the payment page. */
async function toPayment(page: Page, origin: string, recorder: LoadRecorder): Promise<string> {
  const listing = await page.request.get(`${origin}/api/products?sort=price_asc`);
  const items = ((await listing.json()) as { items: { slug: string; inStock: boolean }[] }).items;
  const slug = items.find((i) => i.inStock)?.slug ?? '';
  await page.goto(`${origin}/en/p/${slug}`);
  await hydrated(page);
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page).toHaveURL(/\/en\/cart$/);

  recorder.reset();
  await page.getByRole('link', { name: 'Check out' }).click();
  await expect(page).toHaveURL(/\/en\/checkout$/);
  await hydrated(page);
  await recorder.expectPinnedHeaders('checkout', '/en/checkout');
  recorder.expectInventoried('checkout', 'checkout');
  await expectScriptElementsInventoried(page, 'checkout');

  recorder.reset();
  await page.getByLabel('Email').fill(`scripts-${Date.now()}@example.test`);
  await page.getByLabel('Full name').fill('Ada Lovelace');
  await page.getByLabel('Address', { exact: true }).fill('12 rue des Tests');
  await page.getByLabel('Postal code').fill('75011');
  await page.getByLabel('City').fill('Paris');
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await expect(page).toHaveURL(/\/en\/checkout\/[0-9a-f-]{36}\/(pay|card)$/);
  return new URL(page.url()).pathname;
}

test('checkout, payment and order pages load only inventoried scripts and send the pinned headers (development provider)', async ({
  page,
  baseURL,
}) => {
  test.setTimeout(60_000);
  const origin = baseURL ?? '';
  const problems = await watchProblems(page);
  const recorder = new LoadRecorder(page, origin);
  const payPath = await toPayment(page, origin, recorder);
  await hydrated(page);
  await recorder.expectPinnedHeaders('checkout', payPath);
  recorder.expectInventoried('checkout', 'payment');
  await expectScriptElementsInventoried(page, 'checkout');

  recorder.reset();
  await page.getByRole('button', { name: /^Pay / }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you for your order!');
  const confirmation = new URL(page.url()).pathname;
  await page.reload();
  await hydrated(page);
  await recorder.expectPinnedHeaders('checkout', confirmation);
  recorder.expectInventoried('checkout', 'confirmation');
  await expectScriptElementsInventoried(page, 'checkout');

  recorder.reset();
  await page.goto(`${origin}/en/orders/view`);
  await hydrated(page);
  await recorder.expectPinnedHeaders('checkout', '/en/orders/view');
  recorder.expectInventoried('checkout', 'guest order');
  expectNoProblems(problems);
});

/** Stands in for Stripe.js (unreachable here) at its real URL: mounts a field, records the call. */
const STRIPE_STAND_IN = `
window.Stripe = function (publishableKey) {
  return {
    elements: function (options) {
      window.__stripeSeen = { publishableKey: publishableKey, clientSecret: options.clientSecret };
      return {
        create: function () {
          var handlers = {};
          return {
            mount: function (element) {
              var field = document.createElement('p');
              field.textContent = 'Card field (stand-in)';
              element.append(field);
              setTimeout(function () { if (handlers.ready) handlers.ready(); }, 0);
            },
            on: function (event, handler) { handlers[event] = handler; },
            destroy: function () {},
          };
        },
      };
    },
    confirmPayment: function (options) {
      window.__stripeReturnUrl = options.confirmParams.return_url;
      return new Promise(function () {});
    },
  };
};`;

interface StripeStack {
  webUrl: string;
  apiUrl: string;
  stop(): Promise<void>;
}
interface LocalStripe {
  publishableKey: string;
  env(): Record<string, string>;
  intents: ReadonlyMap<string, { id: string; client_secret: string }>;
  setIntentState(id: string, transition: 'succeeded'): { id: string };
  setWebhookEndpoint(url: string): void;
  deliver(event: { id: string }): Promise<{ status: number }>;
  close(): Promise<void>;
}

test.describe('the card payment page (Stripe provider, own stack)', () => {
  let stack: StripeStack;
  let stripe: LocalStripe;

  test.beforeAll(async ({}, testInfo) => {
    testInfo.setTimeout(180_000);
    const local = new URL('../../../apps/api/test/support/stripe-server.ts', import.meta.url);
    const full = new URL('../../support/full-stack.mjs', import.meta.url);
    const { startLocalStripe } = (await import(local.href)) as {
      startLocalStripe: () => Promise<LocalStripe>;
    };
    const { startFullStack } = (await import(full.href)) as {
      startFullStack: (o: { name: string; apiEnv: Record<string, string> }) => Promise<StripeStack>;
    };
    stripe = await startLocalStripe();
    stack = await startFullStack({ name: 'web_e2e_stripe', apiEnv: stripe.env() });
    stripe.setWebhookEndpoint(`${stack.apiUrl}/api/payments/stripe/webhook`);
  });

  test.afterAll(async () => {
    await stack.stop();
    await stripe.close();
  });

  test('loads Stripe.js only there, by its inventoried URL, with the pinned headers, and returns to a paid confirmation', async ({
    page,
  }) => {
    test.setTimeout(60_000);
    const origin = stack.webUrl;
    const problems = await watchProblems(page);
    await page.route('https://js.stripe.com/**', (route) =>
      route.fulfill({ contentType: 'text/javascript', body: STRIPE_STAND_IN }),
    );
    const recorder = new LoadRecorder(page, origin);
    const cardPath = await toPayment(page, origin, recorder);
    expect(cardPath).toMatch(/\/card$/);
    await hydrated(page);
    await expect(page.getByText('Card field (stand-in)')).toBeVisible();
    await recorder.expectPinnedHeaders('stripe', cardPath);
    recorder.expectInventoried('stripe', 'card payment');
    expect(recorder.foreign).toEqual(['https://js.stripe.com/endive/stripe.js']);
    await expectScriptElementsInventoried(page, 'stripe');

    const seen = (await page.evaluate(
      () => (window as unknown as { __stripeSeen: unknown }).__stripeSeen,
    )) as {
      publishableKey: string;
      clientSecret: string;
    };
    expect(seen.publishableKey).toBe(stripe.publishableKey);
    const intent = [...stripe.intents.values()].find((i) => i.client_secret === seen.clientSecret);
    expect(intent, 'the client secret of the order’s PaymentIntent').toBeDefined();

    await page.getByRole('button', { name: /^Pay / }).click();
    await expect
      .poll(() =>
        page.evaluate(
          () => (window as unknown as { __stripeReturnUrl?: string }).__stripeReturnUrl,
        ),
      )
      .toMatch(/\/en\/orders\/[0-9a-f-]{36}\/confirmation$/);
    const returnUrl = await page.evaluate(
      () => (window as unknown as { __stripeReturnUrl: string }).__stripeReturnUrl,
    );
    expect(new URL(returnUrl).origin).toBe(new URL(origin).origin);

    // Stripe confirms, signs its webhook, and sends the browser back with its parameters.
    expect(
      (await stripe.deliver(stripe.setIntentState(intent?.id ?? '', 'succeeded'))).status,
    ).toBe(200);
    recorder.reset();
    await page.goto(
      `${returnUrl}?payment_intent=${intent?.id ?? ''}&payment_intent_client_secret=${seen.clientSecret}&redirect_status=succeeded`,
    );
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Thank you for your order!');
    // The client secret is gone from the address bar, and the page sends no Referer.
    expect(page.url()).toBe(returnUrl);
    await recorder.expectPinnedHeaders('checkout', new URL(returnUrl).pathname);
    recorder.expectInventoried('checkout', 'confirmation after Stripe');
    expect(recorder.foreign).toEqual([]);
    expectNoProblems(problems);
  });
});
