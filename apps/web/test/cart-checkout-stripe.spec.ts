import { randomBytes } from 'node:crypto';
import { ProductDetailSchema, ProductListSchema } from '@storefront/contracts';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRIPE_JS_URL } from '../app/lib/payments-stripe';
import { CHECKOUT_INVENTORY, inventoryEntryOf, pinnedHeaders } from './cart-checkout-inventory';

/**
 * The card payment page with Stripe, without a browser: the whole shop on real parts with the API
 * on the Stripe provider — the real `stripe` SDK talking to the local Stripe-compatible server of
 * the API's tests (apps/api/test/support/stripe-server.ts), which also signs and delivers the
 * webhooks. Checks the per-page security profile (Stripe's allowances on the card page only,
 * headers exactly as apps/web/checkout-scripts.json pins them), what the page hands Stripe.js, and
 * the return to the confirmation page.
 */

interface FullStack {
  webUrl: string;
  apiUrl: string;
  databaseUrl: string;
  stop(): Promise<void>;
}
interface StripeEvent {
  id: string;
}
interface LocalStripe {
  publishableKey: string;
  env(): Record<string, string>;
  setIntentState(id: string, transition: 'succeeded' | 'failed'): StripeEvent;
  setWebhookEndpoint(url: string): void;
  deliver(event: StripeEvent): Promise<{ status: number }>;
  close(): Promise<void>;
}

const FULL_STACK = new URL('../../../test/support/full-stack.mjs', import.meta.url).href;
const LOCAL_STRIPE = new URL('../../api/test/support/stripe-server.ts', import.meta.url).href;
let stack: FullStack;
let stripe: LocalStripe;
let db: pg.Client;

beforeAll(async () => {
  const { startLocalStripe } = (await import(LOCAL_STRIPE)) as {
    startLocalStripe: () => Promise<LocalStripe>;
  };
  stripe = await startLocalStripe();
  const { startFullStack } = (await import(FULL_STACK)) as {
    startFullStack: (options: {
      name: string;
      apiEnv: Record<string, string>;
    }) => Promise<FullStack>;
  };
  stack = await startFullStack({ name: 'web_checkout_stripe_ssr', apiEnv: stripe.env() });
  stripe.setWebhookEndpoint(`${stack.apiUrl}/api/payments/stripe/webhook`);
  db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
}, 180_000);

afterAll(async () => {
  await db.end();
  await (stack as FullStack | undefined)?.stop();
  await (stripe as LocalStripe | undefined)?.close();
});

/** A browser without JavaScript (cookies kept, redirects not followed). */
class Visitor {
  private readonly cookies = new Map<string, string>();

  get(path: string): Promise<Response> {
    return this.send(path, { method: 'GET' });
  }

  post(path: string, fields: Record<string, string>): Promise<Response> {
    return this.send(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: stack.webUrl,
        'sec-fetch-site': 'same-origin',
      },
      body: new URLSearchParams(fields).toString(),
    });
  }

  async page(path: string): Promise<string> {
    const response = await this.get(path);
    expect(response.status, path).toBe(200);
    return response.text();
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    const cookie = [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
    const response = await fetch(`${stack.webUrl}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair = ''] = setCookie.split(';');
      const at = pair.indexOf('=');
      const value = pair.slice(at + 1).trim();
      if (value === '') this.cookies.delete(pair.slice(0, at).trim());
      else this.cookies.set(pair.slice(0, at).trim(), value);
    }
    return response;
  }
}

const field = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1] ?? '';

/** A visitor with one in-stock item in the cart who checked out as a guest: the card page path. */
async function checkedOut(visitor: Visitor): Promise<{ cardPath: string; orderId: string }> {
  const list = ProductListSchema.parse(
    await (await fetch(`${stack.apiUrl}/api/products?sort=price_asc`)).json(),
  );
  const slug = list.items.find((i) => i.inStock)?.slug ?? '';
  const product = ProductDetailSchema.parse(
    await (await fetch(`${stack.apiUrl}/api/products/${slug}`)).json(),
  );
  const variant = product.variants.find((v) => v.stockStatus === 'in_stock');
  expect(variant).toBeDefined();
  const added = await visitor.post(`/en/p/${slug}`, {
    intent: 'add',
    variantId: variant?.id ?? '',
    quantity: '1',
  });
  expect(added.status).toBe(303);
  const html = await visitor.page('/en/checkout');
  const placed = await visitor.post('/en/checkout', {
    _csrf: field(html, '_csrf'),
    checkoutKey: field(html, 'checkoutKey'),
    email: `guest-${randomBytes(4).toString('hex')}@example.test`,
    fullName: 'Ada Lovelace',
    line1: '12 rue des Tests',
    postalCode: '75011',
    city: 'Paris',
    country: 'FR',
    shippingMethod: 'standard',
  });
  expect(placed.status).toBe(303);
  const cardPath = placed.headers.get('location') ?? '';
  const orderId = /^\/en\/checkout\/([0-9a-f-]{36})\/card$/.exec(cardPath)?.[1] ?? '';
  expect(orderId, `the card page, not ${cardPath}`).not.toBe('');
  return { cardPath, orderId };
}

async function paymentIntentOf(orderId: string): Promise<string> {
  const { rows } = await db.query<{ payment_intent_id: string }>(
    'SELECT payment_intent_id FROM orders WHERE id = $1',
    [orderId],
  );
  return rows[0]?.payment_intent_id ?? '';
}

async function orderStatus(orderId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [
    orderId,
  ]);
  return rows[0]?.status;
}

/** Every script a page's HTML loads or preloads, and whether each inline script has the nonce. */
function scriptsOf(html: string, nonce: string): { urls: string[]; inlineWithoutNonce: number } {
  const urls: string[] = [];
  let inlineWithoutNonce = 0;
  for (const tag of html.matchAll(/<script\b([^>]*)>/g)) {
    const attributes = tag[1] ?? '';
    const src = /\bsrc="([^"]+)"/.exec(attributes)?.[1];
    if (src) urls.push(src);
    else if (!attributes.includes(`nonce="${nonce}"`)) inlineWithoutNonce += 1;
  }
  for (const link of html.matchAll(/<link\b[^>]*rel="modulepreload"[^>]*>/g)) {
    const href = /\bhref="([^"]+)"/.exec(link[0])?.[1];
    if (href) urls.push(href);
  }
  return { urls, inlineWithoutNonce };
}

describe('the card payment page (Stripe provider)', () => {
  it('sends exactly the headers the inventory pins, and loads only inventoried scripts', async () => {
    const visitor = new Visitor();
    const { cardPath, orderId } = await checkedOut(visitor);
    const response = await visitor.get(cardPath);
    expect(response.status).toBe(200);
    expect(pinnedHeaders('stripe', (n) => response.headers.get(n))).toEqual(
      CHECKOUT_INVENTORY.pages.stripe.headers,
    );
    const nonce = /'nonce-([^']+)'/.exec(
      response.headers.get('content-security-policy') ?? '',
    )?.[1];
    const html = await response.text();
    const { urls, inlineWithoutNonce } = scriptsOf(html, nonce ?? '');
    expect(inlineWithoutNonce).toBe(0);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls)
      expect(inventoryEntryOf('stripe', url, stack.webUrl), url).not.toBeNull();
    // The one script the page's own code inserts is the inventoried Stripe.js.
    expect(inventoryEntryOf('stripe', STRIPE_JS_URL, stack.webUrl)).toBe('stripe-js');
    expect(inventoryEntryOf('checkout', STRIPE_JS_URL, stack.webUrl)).toBeNull();
    // What Stripe.js needs, and nothing of the order's secrets beyond it.
    const intentId = await paymentIntentOf(orderId);
    expect(html).toContain(stripe.publishableKey);
    expect(html).toMatch(new RegExp(`${intentId}_secret_[A-Za-z0-9]+`));
    expect(html).toContain(`/en/orders/${orderId}/confirmation`);
  });

  it('keeps Stripe out of every other page: checkout and order pages have their own pinned headers', async () => {
    const visitor = new Visitor();
    const { orderId } = await checkedOut(visitor);
    for (const path of ['/en', '/en/cart', '/en/search?q=book']) {
      const response = await visitor.get(path);
      expect(response.headers.get('content-security-policy'), path).not.toContain('stripe');
      expect(response.headers.get('content-security-policy-report-only'), path).toBeNull();
      expect(response.headers.get('content-security-policy'), path).toContain(
        "require-trusted-types-for 'script'",
      );
    }
    for (const path of ['/en/checkout', `/en/orders/${orderId}/confirmation`, '/en/orders/view']) {
      const response = await visitor.get(path);
      expect(response.status, path).toBe(200);
      expect(
        pinnedHeaders('checkout', (n) => response.headers.get(n)),
        path,
      ).toEqual(CHECKOUT_INVENTORY.pages.checkout.headers);
      const html = await response.text();
      expect(html, path).not.toContain('js.stripe.com');
      expect(html, path).not.toMatch(/_secret_/);
    }
    // The development payment page sends a Stripe order to its card page, as a new document.
    const dev = await visitor.get(`/en/checkout/${orderId}/pay`);
    expect(dev.status).toBe(302);
    expect(dev.headers.get('location')).toBe(`/en/checkout/${orderId}/card`);
    expect(dev.headers.get('x-remix-reload-document')).toBe('true');
  });

  it("shows the order paid after Stripe's signed webhook, and drops Stripe's return parameters", async () => {
    const visitor = new Visitor();
    const { cardPath, orderId } = await checkedOut(visitor);
    const intentId = await paymentIntentOf(orderId);

    // A declined card: Stripe says so; the order stays unpaid and the card page still pays it.
    expect((await stripe.deliver(stripe.setIntentState(intentId, 'failed'))).status).toBe(200);
    expect(await orderStatus(orderId)).toBe('pending_payment');
    expect((await visitor.get(cardPath)).status).toBe(200);

    // The browser coming back alone proves nothing: the order is not paid by the return.
    const early = `/en/orders/${orderId}/confirmation?payment_intent=${intentId}&payment_intent_client_secret=${intentId}_secret_x&redirect_status=succeeded`;
    const cleaned = await visitor.get(early);
    expect(cleaned.status).toBe(302);
    expect(cleaned.headers.get('location')).toBe(`/en/orders/${orderId}/confirmation`);
    expect(await visitor.page(`/en/orders/${orderId}/confirmation`)).toContain(
      'The payment of order',
    );

    expect((await stripe.deliver(stripe.setIntentState(intentId, 'succeeded'))).status).toBe(200);
    expect(await orderStatus(orderId)).toBe('paid');
    const confirmation = await visitor.page(`/en/orders/${orderId}/confirmation`);
    expect(confirmation).toContain('Thank you for your order!');
    // A paid order's card page goes to its confirmation.
    const after = await visitor.get(cardPath);
    expect(after.status).toBe(302);
    expect(after.headers.get('location')).toBe(`/en/orders/${orderId}/confirmation`);
  });
});
