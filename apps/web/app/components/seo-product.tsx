import type { ProductDetail } from '@storefront/contracts';
import type { MetaDescriptor } from 'react-router';
import { isLocale } from '../i18n/locale';
import { useLocale, useMessages } from '../i18n/messages';
import { commonMessages } from '../i18n/messages/common';
import { breadcrumbJsonLd, productJsonLd } from '../lib/json-ld';
import { mediaUrl, pageUrl, seoMeta, SITE_NAME } from '../lib/seo';
import { JsonLd } from './json-ld';

/** Absolute URLs of a product's images that may be published (see `mediaUrl`). */
function imageUrls(origin: string, product: ProductDetail): string[] {
  return product.images
    .map((image) => mediaUrl(origin, image.url))
    .filter((url): url is string => url !== null);
}

/**
 * The `meta` of a product page: title, description, canonical URL, alternates and Open Graph
 * (`og:type` product, `og:image` when the product has a publishable image). Empty when the loader
 * ended with an error page (the boundary sets its own title).
 */
export function productMeta(
  page: { origin: string; product: ProductDetail } | undefined,
  lang: string | undefined,
): MetaDescriptor[] {
  if (!page || !isLocale(lang)) return [];
  const { origin, product } = page;
  return seoMeta({
    origin,
    lang,
    path: `/p/${product.slug}`,
    title: `${product.name} — ${product.brand} — ${SITE_NAME}`,
    description: product.description,
    type: 'product',
    image: imageUrls(origin, product)[0] ?? null,
  });
}

/** The structured data of a product page: `Product` (with its offers) and `BreadcrumbList`. */
export function ProductJsonLd({ product, origin }: { product: ProductDetail; origin: string }) {
  const lang = useLocale();
  const common = useMessages(commonMessages);
  const url = pageUrl(origin, lang, `/p/${product.slug}`);
  return (
    <>
      <JsonLd data={productJsonLd(product, { url, images: imageUrls(origin, product) })} />
      <JsonLd
        data={breadcrumbJsonLd([
          { name: common.home, url: pageUrl(origin, lang, '/') },
          ...product.breadcrumb.map((c) => ({
            name: c.name,
            url: pageUrl(origin, lang, `/c/${c.slug}`),
          })),
          { name: product.name, url },
        ])}
      />
    </>
  );
}
