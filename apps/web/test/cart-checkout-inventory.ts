import { readFileSync } from 'node:fs';

/**
 * The committed inventory of the scripts the checkout, payment and order pages may load, and of
 * their security headers (apps/web/checkout-scripts.json, PCI DSS 6.4.3 / 11.6.1), with the
 * checks the SSR test (cart-checkout-stripe.spec.ts) and the browser test
 * (test/browser/shop/checkout-scripts.e2e.ts) share.
 */

interface InventoryScript {
  owner: string;
  purpose: string;
  /** A regular expression for the script's URL (path for same-origin ones), or `inline`. */
  url: string;
  justification: string;
}

interface InventoryPage {
  paths: string[];
  scripts: string[];
  headers: Record<string, string | null>;
}

export interface CheckoutInventory {
  scripts: Record<string, InventoryScript>;
  pages: Record<'checkout' | 'stripe', InventoryPage>;
}

/** The inventory as committed. */
export const CHECKOUT_INVENTORY = JSON.parse(
  readFileSync(new URL('../checkout-scripts.json', import.meta.url), 'utf8'),
) as CheckoutInventory;

/** The headers the inventory pins, in the order it lists them. */
export function pinnedHeaderNames(page: 'checkout' | 'stripe'): string[] {
  return Object.keys(CHECKOUT_INVENTORY.pages[page].headers);
}

/**
 * A page's pinned headers as the inventory writes them: the response's nonce replaced by
 * `{nonce}`, an absent header as null.
 */
export function pinnedHeaders(
  page: 'checkout' | 'stripe',
  get: (name: string) => string | null | undefined,
): Record<string, string | null> {
  const nonce = /'nonce-([^']+)'/.exec(get('content-security-policy') ?? '')?.[1];
  const out: Record<string, string | null> = {};
  for (const name of pinnedHeaderNames(page)) {
    const value = get(name.toLowerCase()) ?? null;
    out[name] = value !== null && nonce ? value.split(nonce).join('{nonce}') : value;
  }
  return out;
}

/**
 * The inventory entry a script URL belongs to on a page (same-origin URLs are compared by path),
 * or null when the page may not load it.
 */
export function inventoryEntryOf(
  page: 'checkout' | 'stripe',
  url: string,
  origin: string,
): string | null {
  const parsed = new URL(url, origin);
  const candidate = parsed.origin === origin ? parsed.pathname : parsed.href;
  for (const id of CHECKOUT_INVENTORY.pages[page].scripts) {
    const entry = CHECKOUT_INVENTORY.scripts[id];
    if (entry && entry.url !== 'inline' && new RegExp(entry.url).test(candidate)) return id;
  }
  return null;
}
