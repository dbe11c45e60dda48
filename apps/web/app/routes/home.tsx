import { Link, useLoaderData } from 'react-router';
import { ProductCard } from '../components/product-card';
import { fetchCategoryTree, fetchProducts } from '../lib/catalogue-api.server';
import { HTML_CACHE } from '../lib/security-headers.server';
import { isLocale } from '../i18n/locale';
import { useLocalePath, useMessages } from '../i18n/messages';
import { catalogueMessages } from '../i18n/messages/catalogue';
import type { Route } from './+types/home';

/** Home page data: the top-level categories and the newest products. */
export async function loader() {
  const [tree, products] = await Promise.all([
    fetchCategoryTree(),
    fetchProducts(new URLSearchParams({ sort: 'newest', limit: '8' })),
  ]);
  return {
    categories: tree.items.map(({ slug, name, productCount }) => ({ slug, name, productCount })),
    products: products.items,
  };
}

/** A public page: browsers may keep it but revalidate; shared caches never store it. */
export function headers() {
  return { 'Cache-Control': HTML_CACHE.publicPage };
}

/** Title and description. */
export function meta({ params }: Route.MetaArgs) {
  const t = catalogueMessages[isLocale(params.lang) ? params.lang : 'en'];
  return [{ title: t.homeTitle }, { name: 'description', content: t.homeDescription }];
}

/** Home: featured categories and products. */
export default function Home() {
  const { categories, products } = useLoaderData<typeof loader>();
  const t = useMessages(catalogueMessages);
  const href = useLocalePath();
  return (
    <>
      <h1>{t.welcome}</h1>
      <section aria-labelledby="categories-title">
        <h2 id="categories-title">{t.categories}</h2>
        <ul className="category-list">
          {categories.map((c) => (
            <li key={c.slug}>
              <Link to={href(`/c/${c.slug}`)}>{c.name}</Link>{' '}
              <span className="count">({c.productCount})</span>
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="new-title">
        <h2 id="new-title">{t.newIn}</h2>
        <ul className="product-grid">
          {products.map((p) => (
            <ProductCard key={p.id} product={p} />
          ))}
        </ul>
      </section>
    </>
  );
}
