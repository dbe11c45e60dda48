import type { ProductSummary } from '@storefront/contracts';
import { Link } from 'react-router';
import { useIntlLocale, useLocalePath, useMessages } from '../i18n/messages';
import { commonMessages } from '../i18n/messages/common';
import { formatPriceRange } from '../lib/format';

/** A product in a grid: name, brand, price and stock, linking to the product page. */
export function ProductCard({ product }: { product: ProductSummary }) {
  const t = useMessages(commonMessages);
  const href = useLocalePath();
  return (
    <li className="product-card">
      <Link to={href(`/p/${product.slug}`)}>
        <span className="product-brand">{product.brand}</span>
        <span className="product-name">{product.name}</span>
      </Link>
      <span className="product-price">
        {formatPriceRange(product.priceFrom, product.priceTo, useIntlLocale())}
      </span>
      {product.inStock ? null : <span className="stock out">{t.outOfStock}</span>}
    </li>
  );
}
