import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  CartSchema,
  ProductDetailSchema,
  ProductListSchema,
  type Cart,
  type ProductDetail,
} from '@storefront/contracts';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../app/lib/format';

/**
 * The money path without JavaScript, against the whole shop on real parts
 * (test/support/full-stack.mjs: fresh PostgreSQL database seeded with the demo catalogue, Redis,
 * the built API with the development payment provider, a real SMTP listener, the built web
 * server): every form is a plain urlencoded POST with the browser's Origin and Sec-Fetch-Site,
 * exactly what a browser without scripts sends. Amounts are compared with the API's own answers.
 */

interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
}
interface FullStack {
  webUrl: string;
  apiUrl: string;
  databaseUrl: string;
  mail: {
    waitFor(match: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  };
  stop(): Promise<void>;
}
type StartFullStack = (options: { name: string }) => Promise<FullStack>;

const FULL_STACK = new URL('../../../test/support/full-stack.mjs', import.meta.url).href;
const ROOT = new URL('../../../', import.meta.url).pathname;
let stack: FullStack;
let db: pg.Client;

beforeAll(async () => {
  const { startFullStack } = (await import(FULL_STACK)) as { startFullStack: StartFullStack };
  stack = await startFullStack({ name: 'web_cart_checkout_ssr' });
  db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
}, 180_000);

afterAll(async () => {
  await db.end();
  await (stack as FullStack | undefined)?.stop();
});

/** A browser without JavaScript: keeps cookies, sends forms urlencoded, never follows redirects. */
class Visitor {
  private readonly cookies = new Map<string, string>();

  get cookieHeader(): string {
    return [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  }

  get(path: string): Promise<Response> {
    return this.send(path, { method: 'GET', headers: { 'accept-language': 'en' } });
  }

  /** A same-origin form post, as the browser sends it (override headers to play a forgery). */
  post(
    path: string,
    fields: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return this.send(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: stack.webUrl,
        'sec-fetch-site': 'same-origin',
        ...headers,
      },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** The HTML of a page that must answer 200. */
  async page(path: string): Promise<string> {
    const response = await this.get(path);
    expect(response.status, path).toBe(200);
    return response.text();
  }

  /** The cart as the API prices it for this visitor (read directly from the API). */
  async apiCart(): Promise<Cart> {
    const response = await fetch(`${stack.apiUrl}/api/cart`, {
      headers: this.cookieHeader ? { cookie: this.cookieHeader } : {},
    });
    return CartSchema.parse(await response.json());
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    const cookie = this.cookieHeader;
    const response = await fetch(`${stack.webUrl}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair = ''] = setCookie.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}

function csrfIn(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  expect(token, 'a CSRF field').toBeDefined();
  return token ?? '';
}

function hiddenField(html: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1];
  expect(value, `a ${name} field`).toBeDefined();
  return value ?? '';
}

const euros = (amount: number) => formatMoney({ amount, currency: 'EUR' }, 'en-IE');
const uniqueEmail = () => `guest-${randomBytes(5).toString('hex')}@example.test`;

/** In-stock products of the demo catalogue, each with an in-stock variant (read from the API). */
async function purchasable(
  count: number,
): Promise<{ product: ProductDetail; variantId: string }[]> {
  const list = ProductListSchema.parse(
    await (await fetch(`${stack.apiUrl}/api/products?sort=price_asc`)).json(),
  );
  const found: { product: ProductDetail; variantId: string }[] = [];
  for (const item of list.items.filter((i) => i.inStock)) {
    const product = ProductDetailSchema.parse(
      await (await fetch(`${stack.apiUrl}/api/products/${item.slug}`)).json(),
    );
    const variant = product.variants.find((v) => v.stockStatus === 'in_stock');
    if (variant) found.push({ product, variantId: variant.id });
    if (found.length === count) return found;
  }
  throw new Error('not enough in-stock products in the demo catalogue');
}

/** One in-stock product with an in-stock variant. */
async function purchasableOne(): Promise<{ product: ProductDetail; variantId: string }> {
  const [found] = await purchasable(1);
  if (!found) throw new Error('no purchasable product');
  return found;
}

/** Adds a variant through the product page's form; returns the answer. */
async function addToCart(
  visitor: Visitor,
  slug: string,
  variantId: string,
  quantity: string,
  extra: Record<string, string> = {},
): Promise<Response> {
  const html = await visitor.page(`/en/p/${slug}`);
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  return visitor.post(`/en/p/${slug}`, {
    ...(token ? { _csrf: token } : {}),
    intent: 'add',
    variantId,
    quantity,
    ...extra,
  });
}

/** The checkout form, filled as a guest; returns the answer of its post. */
async function checkoutAsGuest(visitor: Visitor, email: string): Promise<Response> {
  const html = await visitor.page('/en/checkout');
  return visitor.post('/en/checkout', {
    _csrf: csrfIn(html),
    checkoutKey: hiddenField(html, 'checkoutKey'),
    email,
    fullName: 'Ada Lovelace',
    line1: '12 rue des Tests',
    postalCode: '75011',
    city: 'Paris',
    country: 'FR',
    shippingMethod: 'standard',
  });
}

async function orderStatus(orderId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [
    orderId,
  ]);
  return rows[0]?.status;
}

const PAY_PAGE = /^\/en\/checkout\/([0-9a-f-]{36})\/pay$/;

describe('adding to the cart without JavaScript', () => {
  it('adds the chosen variant and quantity; the page never reads a price the form sends', async () => {
    const { product, variantId } = await purchasableOne();
    const visitor = new Visitor();
    const page = await visitor.get(`/en/p/${product.slug}`);
    // No session yet: the public page carries no token and stays cacheable by the browser only.
    expect(page.headers.get('cache-control')).toBe('private, no-cache');
    const html = await page.text();
    expect(html).toMatch(new RegExp(`name="variantId"(?: checked="")? value="${variantId}"`));
    expect(html).not.toContain('name="_csrf"');

    const added = await addToCart(visitor, product.slug, variantId, '2', {
      price: '1',
      unitPrice: '1',
      total: '0',
      currency: 'USD',
    });
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toBe('/en/cart');
    expect(added.headers.getSetCookie().join()).toMatch(/__Host-sid=/);

    const cart = await visitor.apiCart();
    const unitPrice = product.variants.find((v) => v.id === variantId)?.price.amount ?? -1;
    expect(cart.lines).toHaveLength(1);
    expect(cart.lines[0]).toMatchObject({ variantId, quantity: 2 });
    expect(cart.subtotal.amount).toBe(unitPrice * 2);

    const cartPage = await visitor.get('/en/cart');
    expect(cartPage.status).toBe(200);
    expect(cartPage.headers.get('cache-control')).toBe('no-store');
    const cartHtml = await cartPage.text();
    expect(cartHtml).toContain(euros(cart.subtotal.amount));
    expect(cartHtml).toContain(euros(cart.total.amount));

    // With a session the product page carries the token, so it is personal and never stored.
    const again = await visitor.get(`/en/p/${product.slug}`);
    expect(again.headers.get('cache-control')).toBe('no-store');
    expect(csrfIn(await again.text())).toMatch(/.{16,}/);
  });

  it('shows the API refusal of a quantity next to the quantity field, and adds nothing', async () => {
    const { product, variantId } = await purchasableOne();
    const visitor = new Visitor();
    expect((await addToCart(visitor, product.slug, variantId, '1')).status).toBe(303);
    for (const quantity of ['0', '11', 'abc', '2.5']) {
      const refused = await addToCart(visitor, product.slug, variantId, quantity);
      expect(refused.status, quantity).toBe(400);
      const html = await refused.text();
      expect(html).toContain('aria-describedby="cart-add-quantity-error"');
      expect(html).toMatch(
        /id="cart-add-quantity-error" class="field-error">Choose a whole number of units/,
      );
    }
    // Adding 10 more to the line holding 1 passes the shop's limit per line: 409 next to the field.
    const overLimit = await addToCart(visitor, product.slug, variantId, '10');
    expect(overLimit.status).toBe(409);
    expect(await overLimit.text()).toMatch(
      /id="cart-add-quantity-error" class="field-error">Your cart cannot hold more of this item/,
    );
    expect((await visitor.apiCart()).lines[0]?.quantity).toBe(1);
  });

  it('refuses a cross-site post before any action runs, and a post without the CSRF token', async () => {
    const { product, variantId } = await purchasableOne();
    const visitor = new Visitor();
    expect((await addToCart(visitor, product.slug, variantId, '1')).status).toBe(303);

    const forged = await visitor.post(
      `/en/p/${product.slug}`,
      { intent: 'add', variantId, quantity: '3' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    );
    expect(forged.status).toBe(403);

    // Same origin, session cookie, but no token (what a forged form could at best send).
    const tokenless = await visitor.post(`/en/p/${product.slug}`, {
      intent: 'add',
      variantId,
      quantity: '3',
    });
    expect(tokenless.status).toBe(403);
    expect(await tokenless.text()).toContain('Your session has changed');
    const wrongToken = await visitor.post(`/en/p/${product.slug}`, {
      _csrf: 'x'.repeat(43),
      intent: 'add',
      variantId,
      quantity: '3',
    });
    expect(wrongToken.status).toBe(403);
    expect((await visitor.apiCart()).lines[0]?.quantity).toBe(1);
  });
});

describe('the cart page without JavaScript', () => {
  it('changes a quantity, shows a refused one next to its line, removes a line, chooses delivery', async () => {
    const [first, second] = await purchasable(2);
    if (!first || !second) throw new Error('no products');
    const visitor = new Visitor();
    await addToCart(visitor, first.product.slug, first.variantId, '1');
    await addToCart(visitor, second.product.slug, second.variantId, '1');
    let cart = await visitor.apiCart();
    const [lineA, lineB] = cart.lines;
    if (!lineA || !lineB) throw new Error('two lines expected');
    const token = csrfIn(await visitor.page('/en/cart'));

    const updated = await visitor.post('/en/cart', {
      _csrf: token,
      intent: 'update',
      lineId: lineA.id,
      quantity: '3',
    });
    expect(updated.status).toBe(303);
    expect((await visitor.apiCart()).lines.find((l) => l.id === lineA.id)?.quantity).toBe(3);

    const refused = await visitor.post('/en/cart', {
      _csrf: token,
      intent: 'update',
      lineId: lineA.id,
      quantity: '50',
    });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toContain(`aria-describedby="quantity-${lineA.id}-error"`);
    expect(html).not.toContain(`quantity-${lineB.id}-error`);

    const otherVisitor = new Visitor();
    await addToCart(otherVisitor, first.product.slug, first.variantId, '1');
    const otherToken = csrfIn(await otherVisitor.page('/en/cart'));
    // Another shopper's line id: the API finds lines only through the caller's cart.
    const notTheirs = await otherVisitor.post('/en/cart', {
      _csrf: otherToken,
      intent: 'remove',
      lineId: lineB.id,
    });
    expect(notTheirs.status).toBe(404);
    expect((await visitor.apiCart()).lines).toHaveLength(2);

    expect(
      (await visitor.post('/en/cart', { _csrf: token, intent: 'remove', lineId: lineB.id })).status,
    ).toBe(303);
    expect(
      (
        await visitor.post('/en/cart', {
          _csrf: token,
          intent: 'shipping',
          shippingMethod: 'express',
        })
      ).status,
    ).toBe(303);
    cart = await visitor.apiCart();
    expect(cart.lines.map((l) => l.id)).toEqual([lineA.id]);
    expect(cart.shippingMethod).toBe('express');
    const page = await visitor.page('/en/cart');
    // Every amount on the page is the API's: subtotal, delivery, VAT per rate, total.
    for (const amount of [
      cart.subtotal,
      cart.shipping,
      cart.total,
      ...cart.vat.map((v) => v.amount),
    ]) {
      if (amount) expect(page).toContain(euros(amount.amount));
    }
  });

  it('shows a refused coupon next to its field, and applies a real one with the API’s discount', async () => {
    const { product, variantId } = await purchasableOne();
    const visitor = new Visitor();
    await addToCart(visitor, product.slug, variantId, '2');
    const token = csrfIn(await visitor.page('/en/cart'));
    const refused = await visitor.post('/en/cart', {
      _csrf: token,
      intent: 'apply-coupon',
      code: 'NOTAREALCODE0000000000000000',
    });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toMatch(
      /aria-describedby="coupon-code-error"[\s\S]*id="coupon-code-error" class="field-error">This code cannot be applied/,
    );

    const code = createCoupon(['--percent', '10', '--days', '1']);
    const applied = await visitor.post('/en/cart', { _csrf: token, intent: 'apply-coupon', code });
    expect(applied.status).toBe(303);
    const cart = await visitor.apiCart();
    expect(cart.coupon?.status).toBe('applied');
    expect(cart.discount.amount).toBeGreaterThan(0);
    const page = await visitor.page('/en/cart');
    expect(page).toContain(`−${euros(cart.discount.amount)}`);
    expect(page).toContain(euros(cart.total.amount));

    expect((await visitor.post('/en/cart', { _csrf: token, intent: 'remove-coupon' })).status).toBe(
      303,
    );
    expect((await visitor.apiCart()).coupon).toBeNull();
  });

  it('shows an empty cart', async () => {
    const html = await new Visitor().page('/en/cart');
    expect(html).toContain('Your cart is empty.');
  });
});

/** A coupon made with the API's operator command; returns its code (printed once). */
function createCoupon(args: string[]): string {
  const out = execFileSync(
    process.execPath,
    [`${ROOT}apps/api/dist/cli.js`, 'coupons:create', ...args],
    {
      env: {
        ...process.env,
        NODE_ENV: 'development',
        DATABASE_URL: stack.databaseUrl,
        REDIS_URL: 'redis://127.0.0.1:6379',
        LOG_LEVEL: 'warn',
      },
      encoding: 'utf8',
    },
  );
  const lines = out.trim().split('\n');
  return lines[lines.length - 1]?.trim() ?? '';
}

describe('checkout and payment without JavaScript (development provider)', () => {
  it('checks out as a guest, pays with the test card, and shows the paid order', async () => {
    const { product, variantId } = await purchasableOne();
    const visitor = new Visitor();
    await addToCart(visitor, product.slug, variantId, '1');
    const checkoutPage = await visitor.get('/en/checkout');
    expect(checkoutPage.headers.get('cache-control')).toBe('no-store');
    expect(checkoutPage.headers.get('referrer-policy')).toBe('no-referrer');

    const email = uniqueEmail();
    const placed = await checkoutAsGuest(visitor, email);
    expect(placed.status).toBe(303);
    // A new document: the payment page gets its own headers.
    expect(placed.headers.get('x-remix-reload-document')).toBe('true');
    const payPath = placed.headers.get('location') ?? '';
    const orderId = PAY_PAGE.exec(payPath)?.[1] ?? '';
    expect(orderId).not.toBe('');
    expect(await orderStatus(orderId)).toBe('pending_payment');

    const payPage = await visitor.get(payPath);
    expect(payPage.status).toBe(200);
    expect(payPage.headers.get('referrer-policy')).toBe('no-referrer');
    const payHtml = await payPage.text();
    // The development page never hands the PaymentIntent's client secret to the browser.
    expect(payHtml).not.toMatch(/_secret_/);
    const paid = await visitor.post(payPath, {
      _csrf: csrfIn(payHtml),
      intent: 'pay',
      paymentMethod: 'pm_card_visa',
    });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`/en/orders/${orderId}/confirmation`);
    expect(await orderStatus(orderId)).toBe('paid');

    const confirmation = await visitor.page(`/en/orders/${orderId}/confirmation`);
    expect(confirmation).toContain('Thank you for your order!');
    expect(confirmation).toMatch(/class="order-status paid">Paid</);
    // Only this visitor's session sees it.
    expect((await new Visitor().get(`/en/orders/${orderId}/confirmation`)).status).toBe(404);
    // The cart was emptied by the checkout.
    expect((await visitor.apiCart()).lines).toHaveLength(0);

    // The guest's emailed link opens the order (the unprefixed link redirects to a language).
    const mail = await stack.mail.waitFor((m) => m.to.includes(email));
    const link = /https?:\/\/[^\s>"]+\/orders\/view#token=[A-Za-z0-9_-]+/.exec(mail.text)?.[0];
    expect(link, 'a guest order link in the confirmation').toBeDefined();
    const stranger = new Visitor();
    const unprefixed = await stranger.get('/orders/view');
    expect(unprefixed.status).toBe(302);
    expect(unprefixed.headers.get('location')).toBe('/en/orders/view');
    expect(await stranger.page('/en/orders/view')).toContain('Open my order');
    const opened = await stranger.post('/en/orders/view', { token: link ?? '' });
    expect(opened.status).toBe(200);
    const openedHtml = await opened.text();
    expect(openedHtml).toMatch(/class="order-status paid">Paid</);
    const altered = (link ?? '').replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const refused = await stranger.post('/en/orders/view', { token: altered });
    expect(refused.status).toBe(404);
    expect(await refused.text()).toContain('This link is not valid or has expired.');
  });

  it('shows a declined card clearly and leaves the order unpaid; 3-D Secure then pays it', async () => {
    const { product, variantId } = await purchasableOne();
    const visitor = new Visitor();
    await addToCart(visitor, product.slug, variantId, '1');
    const placed = await checkoutAsGuest(visitor, uniqueEmail());
    const payPath = placed.headers.get('location') ?? '';
    const orderId = PAY_PAGE.exec(payPath)?.[1] ?? '';
    const token = csrfIn(await visitor.page(payPath));

    const declined = await visitor.post(payPath, {
      _csrf: token,
      intent: 'pay',
      paymentMethod: 'pm_card_chargeDeclined',
    });
    expect(declined.status).toBe(402);
    expect(await declined.text()).toContain('Your card was declined. No money was taken.');
    expect(await orderStatus(orderId)).toBe('pending_payment');

    const challenged = await visitor.post(payPath, {
      _csrf: token,
      intent: 'pay',
      paymentMethod: 'pm_card_authenticationRequired',
    });
    expect(challenged.status).toBe(303);
    expect(challenged.headers.get('location')).toBe(payPath);
    const challenge = await visitor.page(payPath);
    expect(challenge).toContain('Your bank asks you to confirm this payment');
    const approved = await visitor.post(payPath, {
      _csrf: token,
      intent: 'authenticate',
      outcome: 'approve',
    });
    expect(approved.status).toBe(303);
    expect(await orderStatus(orderId)).toBe('paid');
    // A paid order's payment page goes to its confirmation.
    const after = await visitor.get(payPath);
    expect(after.status).toBe(302);
    expect(after.headers.get('location')).toBe(`/en/orders/${orderId}/confirmation`);
  });

  it('keeps what was typed and shows the API’s field errors; a payment page of another visitor is 404', async () => {
    const { product, variantId } = await purchasableOne();
    const visitor = new Visitor();
    await addToCart(visitor, product.slug, variantId, '1');
    const html = await visitor.page('/en/checkout');
    const checkoutKey = hiddenField(html, 'checkoutKey');
    const refused = await visitor.post('/en/checkout', {
      _csrf: csrfIn(html),
      checkoutKey,
      email: 'not-an-email',
      fullName: 'Ada Lovelace',
      line1: '12 rue des Tests',
      postalCode: '!!',
      city: 'Paris',
      country: 'FR',
      shippingMethod: 'standard',
    });
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain(
      'id="field-email-error" class="field-error">Enter a valid email address.',
    );
    expect(page).toContain(
      'id="field-postalCode-error" class="field-error">Enter a valid postal code.',
    );
    expect(page).toContain('value="Ada Lovelace"');
    // The same checkout key again, so a retry is the same checkout attempt.
    expect(page).toContain(`name="checkoutKey" value="${checkoutKey}"`);
    const { rows } = await db.query('SELECT 1 FROM orders WHERE checkout_key = $1', [checkoutKey]);
    expect(rows).toHaveLength(0);

    const placed = await checkoutAsGuest(visitor, uniqueEmail());
    const payPath = placed.headers.get('location') ?? '';
    expect((await new Visitor().get(payPath)).status).toBe(404);
    expect((await new Visitor().get('/en/checkout/not-an-id/pay')).status).toBe(404);
  });
});
