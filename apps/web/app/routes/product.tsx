import { SlugSchema } from '@storefront/contracts';
import type { ProductDetail } from '@storefront/contracts';
import { data, Link, useActionData, useLoaderData } from 'react-router';
import { CartAddForm } from '../components/cart-add-form';
import type { CartFormErrorView } from '../components/cart-errors';
import { ProductGallery } from '../components/product-gallery';
import { ProductJsonLd, productMeta } from '../components/seo-product';
import { cartFormAction, publicPageSession } from '../lib/cart-forms.server';
import { fetchProduct } from '../lib/catalogue-api.server';
import { formatMoney, formatPriceRange } from '../lib/format';
import { HTML_CACHE } from '../lib/security-headers.server';
import { pageError } from '../lib/http-status.server';
import { publicBaseUrl } from '../lib/seo.server';
import type { Route } from './+types/product';
import { isLocale } from '../i18n/locale';
import { useIntlLocale, useLocalePath, useMessages } from '../i18n/messages';
import { catalogueMessages } from '../i18n/messages/catalogue';
import { commonMessages } from '../i18n/messages/common';

/** A product by slug; an unknown or malformed slug is this site's 404 page. */
export async function loader({ params, request }: Route.LoaderArgs) {
  const slug = SlugSchema.safeParse(params.slug);
  if (!slug.success || !isLocale(params.lang)) pageError(404);
  const [product, session] = await Promise.all([
    fetchProduct(request, slug.data),
    publicPageSession(request),
  ]);
  return data(
    { product, origin: publicBaseUrl(), csrfToken: session.csrfToken },
    { headers: session.headers },
  );
}

/**
 * A public page (browsers may keep it but revalidate; shared caches never store it) for visitors
 * without a session. With a session, its add-to-cart form carries the session's CSRF token: the
 * page is then personal and never stored (lib/cart-forms.server.ts).
 */
export function headers({ loaderHeaders }: Route.HeadersArgs) {
  return { 'Cache-Control': loaderHeaders.get('Cache-Control') ?? HTML_CACHE.default };
}

/** The add-to-cart form: adds the variant through the API, then shows the cart. */
export async function action({ request, params }: Route.ActionArgs) {
  if (!isLocale(params.lang)) pageError(404);
  return cartFormAction(request, params.lang, ['add']);
}

/** Title, description, canonical URL, alternates and Open Graph (components/seo-product.tsx). */
export function meta({ loaderData, params }: Route.MetaArgs) {
  // Undefined when the loader ended with an error page (the boundary sets its own title).
  return productMeta(loaderData, params.lang);
}

/** The product page: breadcrumb, price (VAT included), variants with stock, details. */
export default function Product() {
  const { product, origin } = useLoaderData<typeof loader>();
  const t = useMessages(catalogueMessages);
  const common = useMessages(commonMessages);
  const href = useLocalePath();
  const intl = useIntlLocale();
  return (
    <article className="product">
      <ProductJsonLd product={product} origin={origin} />
      <nav aria-label={common.breadcrumb} className="breadcrumb">
        <ol>
          <li>
            <Link to={href('/')}>{common.home}</Link>
          </li>
          {product.breadcrumb.map((c) => (
            <li key={c.slug}>
              <Link to={href(`/c/${c.slug}`)}>{c.name}</Link>
            </li>
          ))}
        </ol>
      </nav>
      <ProductGallery images={product.images} />
      <p className="product-brand">{product.brand}</p>
      <h1>{product.name}</h1>
      <p className="product-price">
        {formatPriceRange(product.priceFrom, product.priceTo, intl)}{' '}
        <small>{common.vatIncluded}</small>
      </p>
      <p>{product.description}</p>
      <h2>{t.options}</h2>
      <table className="variants">
        <thead>
          <tr>
            <th scope="col">{t.variant}</th>
            <th scope="col">{t.price}</th>
            <th scope="col">{t.availability}</th>
          </tr>
        </thead>
        <tbody>
          {product.variants.map((v) => (
            <tr key={v.id}>
              <th scope="row">
                {Object.entries(v.options)
                  .map(([name, value]) => `${name}: ${value}`)
                  .join(', ') || v.sku}
              </th>
              <td>{formatMoney(v.price, intl)}</td>
              <td className={`stock ${v.stockStatus}`}>{t.stock[v.stockStatus]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <AddToCart product={product} />
      {Object.keys(product.attributes).length > 0 ? (
        <>
          <h2>{t.details}</h2>
          <dl className="attributes">
            {Object.entries(product.attributes).map(([name, value]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
    </article>
  );
}

/** The add-to-cart form with this page's CSRF token and the refusal of the last post, if any. */
function AddToCart({ product }: { product: ProductDetail }) {
  const { csrfToken } = useLoaderData<typeof loader>();
  const error = useActionData<CartFormErrorView>();
  return <CartAddForm product={product} csrfToken={csrfToken} error={error} />;
}
