import type { ProductSummary } from '@storefront/contracts';
import { Link } from 'react-router';
import { formatPriceRange } from '../lib/format';

/** A product in a grid: name, brand, price and stock, linking to the product page. */
export function ProductCard({ product }: { product: ProductSummary }) {
  return (
    <li className="product-card">
      <Link to={`/p/${product.slug}`}>
        <span className="product-brand">{product.brand}</span>
        <span className="product-name">{product.name}</span>
      </Link>
      <span className="product-price">{formatPriceRange(product.priceFrom, product.priceTo)}</span>
      {product.inStock ? null : <span className="stock out">Out of stock</span>}
    </li>
  );
}
