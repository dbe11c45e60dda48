import { Link, useLoaderData } from 'react-router';
import { JsonLd } from '../components/json-ld';
import { ProductCard } from '../components/product-card';
import { fetchCategoryTree, fetchProducts } from '../lib/catalogue-api.server';
import { websiteJsonLd } from '../lib/json-ld';
import { HTML_CACHE } from '../lib/security-headers.server';
import { pageUrl, seoMeta, SITE_NAME } from '../lib/seo';
import { publicBaseUrl } from '../lib/seo.server';
import { isLocale } from '../i18n/locale';
import { useLocale, useLocalePath, useMessages } from '../i18n/messages';
import { catalogueMessages } from '../i18n/messages/catalogue';
import type { Route } from './+types/home';

/** Sub-categories shown under each department on the home page. */
const SUBCATEGORIES_SHOWN = 4;
/** Newest products shown on the home page. */
const NEW_PRODUCTS = 8;

/** Home page data: the departments with their first sub-categories, and the newest products. */
export async function loader({ request }: Route.LoaderArgs) {
  const [tree, products] = await Promise.all([
    fetchCategoryTree(request),
    fetchProducts(request, new URLSearchParams({ sort: 'newest', limit: String(NEW_PRODUCTS) })),
  ]);
  return {
    origin: publicBaseUrl(),
    categories: tree.items.map(({ slug, name, description, productCount, children }) => ({
      slug,
      name,
      description,
      productCount,
      children: children.slice(0, SUBCATEGORIES_SHOWN).map((c) => ({ slug: c.slug, name: c.name })),
    })),
    products: products.items,
  };
}

/** A public page: browsers may keep it but revalidate; shared caches never store it. */
export function headers() {
  return { 'Cache-Control': HTML_CACHE.publicPage };
}

/** Title, description, canonical URL, language alternates and Open Graph. */
export function meta({ loaderData, params }: Route.MetaArgs) {
  const page = loaderData as typeof loaderData | undefined;
  if (!page || !isLocale(params.lang)) return [];
  const t = catalogueMessages[params.lang];
  return seoMeta({
    origin: page.origin,
    lang: params.lang,
    path: '/',
    title: t.homeTitle,
    description: t.homeDescription,
  });
}

/** Home: the departments (featured categories) and the newest products. */
export default function Home() {
  const { origin, categories, products } = useLoaderData<typeof loader>();
  const t = useMessages(catalogueMessages);
  const href = useLocalePath();
  const lang = useLocale();
  return (
    <>
      <JsonLd
        data={websiteJsonLd({
          name: SITE_NAME,
          url: pageUrl(origin, lang, '/'),
          searchUrlTemplate: `${pageUrl(origin, lang, '/search')}?q={search_term_string}`,
          language: lang,
        })}
      />
      <h1>{t.welcome}</h1>
      <section aria-labelledby="categories-title">
        <h2 id="categories-title">{t.featuredCategories}</h2>
        <ul className="category-list department-list">
          {categories.map((c) => (
            <li key={c.slug} className="department">
              <h3>
                <Link to={href(`/c/${c.slug}`)}>{c.name}</Link>{' '}
                <span className="count">({c.productCount})</span>
              </h3>
              {c.description ? <p>{c.description}</p> : null}
              {c.children.length > 0 ? (
                <ul aria-label={t.subcategories}>
                  {c.children.map((child) => (
                    <li key={child.slug}>
                      <Link to={href(`/c/${child.slug}`)}>{child.name}</Link>
                    </li>
                  ))}
                </ul>
              ) : null}
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
