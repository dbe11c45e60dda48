import type { Money, ProductDetail } from '@storefront/contracts';

/**
 * Structured data (schema.org JSON-LD) of the storefront's pages, and the one way it is written
 * into a page: {@link serializeJsonLd}. Client-safe (no server code): the browser re-serialises
 * the same documents on client-side navigations (components/json-ld.tsx).
 */

/** A JSON-LD document: plain JSON values only. */
export type JsonLdValue = string | number | boolean | null | JsonLdValue[] | JsonLdDocument;
/** A JSON-LD object. */
export interface JsonLdDocument {
  [key: string]: JsonLdValue | undefined;
}

/**
 * The name of the Trusted Types policy that writes JSON-LD into `<script type="application/ld+json">`
 * elements — the only policy the pages may create (CSP `trusted-types`, see
 * security-headers.server.ts).
 */
export const JSON_LD_POLICY_NAME = 'storefront-jsonld';

/** Characters that must never appear raw inside a `<script>` element's text. */
const UNSAFE_IN_SCRIPT = /[<>&\u2028\u2029]/;

/**
 * JSON text of a document that can be placed inside a `<script>` element: `<`, `>`, `&` and the
 * line separators U+2028/U+2029 are written as `\uXXXX` escapes, so the text can never close the
 * element (`</script>`), open a comment (`<!--`) or be read differently by an HTML parser, while
 * still parsing back to exactly the same value.
 */
export function serializeJsonLd(document: JsonLdDocument): string {
  return JSON.stringify(document).replace(
    new RegExp(UNSAFE_IN_SCRIPT.source, 'g'),
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * What the `storefront-jsonld` policy accepts: a JSON object as written by
 * {@link serializeJsonLd} — parseable JSON whose text has none of the characters it escapes.
 * Anything else (script source, HTML, a JSON string with a raw `</script>`) is refused.
 */
export function isSerialisedJsonLd(text: string): boolean {
  if (text.length === 0 || UNSAFE_IN_SCRIPT.test(text)) return false;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** A schema.org price: minor units as a decimal string (`16800` → `"168.00"`). */
function schemaPrice(money: Money): string {
  return (money.amount / 100).toFixed(2);
}

const AVAILABILITY = {
  in_stock: 'https://schema.org/InStock',
  low_stock: 'https://schema.org/LimitedAvailability',
  out_of_stock: 'https://schema.org/OutOfStock',
} as const;

/** One step of a breadcrumb: its name and absolute URL. */
export interface BreadcrumbStep {
  name: string;
  url: string;
}

/** `BreadcrumbList` of a page, from the home page down to the page itself. */
export function breadcrumbJsonLd(steps: readonly BreadcrumbStep[]): JsonLdDocument {
  return {
    '@context': 'https://schema.org',
    '@type': 'BreadcrumbList',
    itemListElement: steps.map((step, index) => ({
      '@type': 'ListItem',
      position: index + 1,
      name: step.name,
      item: step.url,
    })),
  };
}

/**
 * `Product` of a product page: one `Offer` per variant (its SKU, VAT-inclusive price, currency
 * and availability, on the page's canonical URL). The product-level `sku` is given only when the
 * product has a single variant (a product with sizes has no one SKU).
 */
export function productJsonLd(
  product: ProductDetail,
  page: { url: string; images: readonly string[] },
): JsonLdDocument {
  const [only] = product.variants.length === 1 ? product.variants : [];
  return {
    '@context': 'https://schema.org',
    '@type': 'Product',
    name: product.name,
    description: product.description,
    sku: only?.sku,
    brand: { '@type': 'Brand', name: product.brand },
    image: page.images.length > 0 ? [...page.images] : undefined,
    url: page.url,
    offers: product.variants.map((variant) => ({
      '@type': 'Offer',
      sku: variant.sku,
      price: schemaPrice(variant.price),
      priceCurrency: variant.price.currency,
      availability: AVAILABILITY[variant.stockStatus],
      itemCondition: 'https://schema.org/NewCondition',
      url: page.url,
    })),
  };
}

/** `WebSite` of the home page, with the site search as a `SearchAction`. */
export function websiteJsonLd(site: {
  name: string;
  url: string;
  searchUrlTemplate: string;
  language: string;
}): JsonLdDocument {
  return {
    '@context': 'https://schema.org',
    '@type': 'WebSite',
    name: site.name,
    url: site.url,
    inLanguage: site.language,
    potentialAction: {
      '@type': 'SearchAction',
      target: { '@type': 'EntryPoint', urlTemplate: site.searchUrlTemplate },
      'query-input': 'required name=search_term_string',
    },
  };
}
