import type { ProductSummary } from '@storefront/contracts';
import { Link } from 'react-router';
import { useMessages } from '../i18n/messages';
import { catalogueMessages } from '../i18n/messages/catalogue';
import { ProductCard } from './product-card';

/** A listing page's products and filters, as `listingView` (lib/listing-params.server.ts) makes them. */
export interface ListingViewProps {
  products: ProductSummary[];
  total: number;
  sort: string;
  facets: {
    key: string;
    values: { value: string; count: number; selected: boolean; href: string }[];
  }[];
  selected: string[];
  firstPageHref: string | null;
  nextPageHref: string | null;
}

/**
 * The body of a category or search page: facets as toggle links, a sort form (GET, so it works
 * without JavaScript, carrying the filters and `hidden` fields such as the search terms), the
 * count, the product grid and the pagination links.
 */
export function ProductListing({
  view,
  sortOptions,
  hidden = {},
  countText,
}: {
  view: ListingViewProps;
  sortOptions: Record<string, string>;
  hidden?: Record<string, string>;
  countText: string;
}) {
  const t = useMessages(catalogueMessages);
  return (
    <div className="listing">
      <aside aria-labelledby="filters-title" className="filters">
        <h2 id="filters-title">{t.filters}</h2>
        {view.facets.map((facet) => (
          <section key={facet.key} className="facet">
            <h3>{facet.key}</h3>
            <ul>
              {facet.values.map((v) => (
                <li key={v.value}>
                  <Link
                    to={v.href}
                    className={v.selected ? 'facet-link selected' : 'facet-link'}
                    rel="nofollow"
                  >
                    {v.selected ? <span className="visually-hidden">{t.removeFilter}</span> : null}
                    {v.value} <span className="count">({v.count})</span>
                  </Link>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </aside>
      <section aria-labelledby="results-title" className="results">
        <h2 id="results-title" className="visually-hidden">
          {t.products}
        </h2>
        <form method="get" className="sort-form">
          {Object.entries(hidden).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          {view.selected.map((f) => (
            <input key={f} type="hidden" name="facet" value={f} />
          ))}
          <label htmlFor="sort">{t.sortBy}</label>
          <select key={view.sort} id="sort" name="sort" defaultValue={view.sort}>
            {Object.entries(sortOptions).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          <button type="submit">{t.apply}</button>
        </form>
        <p className="result-count" role="status">
          {countText}
        </p>
        <ul className="product-grid">
          {view.products.map((p) => (
            <ProductCard key={p.id} product={p} />
          ))}
        </ul>
        <nav aria-label={t.pagination} className="pagination">
          {view.firstPageHref !== null ? <Link to={view.firstPageHref}>{t.firstPage}</Link> : null}
          {view.nextPageHref !== null ? (
            <Link to={view.nextPageHref} rel="next">
              {t.nextPage}
            </Link>
          ) : null}
        </nav>
      </section>
    </div>
  );
}
