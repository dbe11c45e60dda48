import { SlugSchema } from '@storefront/contracts';
import { Link, useLoaderData } from 'react-router';
import { JsonLd } from '../components/json-ld';
import { ProductListing } from '../components/product-listing';
import { fetchCategoryTree, fetchProducts, findCategory } from '../lib/catalogue-api.server';
import { listingApiQuery, listingView } from '../lib/listing-params.server';
import { isLocale } from '../i18n/locale';
import { useLocalePath, useMessages } from '../i18n/messages';
import { catalogueMessages } from '../i18n/messages/catalogue';
import { commonMessages } from '../i18n/messages/common';
import { HTML_CACHE } from '../lib/security-headers.server';
import { breadcrumbJsonLd } from '../lib/json-ld';
import { seoMeta, SITE_NAME } from '../lib/seo';
import { publicBaseUrl } from '../lib/seo.server';
import type { Route } from './+types/category';
import { pageError } from '../lib/http-status.server';

/**
 * A category listing. Filters, sort and pagination live in the URL (`facet=key:value`, `sort`,
 * `cursor`), so every state is a link and the page works without JavaScript.
 */
export async function loader({ params, request }: Route.LoaderArgs) {
  const slug = SlugSchema.safeParse(params.slug);
  if (!slug.success || !isLocale(params.lang)) pageError(404);
  const url = new URL(request.url);
  const query = listingApiQuery({ category: slug.data }, url);
  if (!query) pageError(400);
  const [tree, list] = await Promise.all([
    fetchCategoryTree(request),
    fetchProducts(request, query),
  ]);
  const found = findCategory(tree.items, slug.data);
  if (!found) pageError(404);
  const path = `/${params.lang}/c/${slug.data}`;
  return {
    origin: publicBaseUrl(),
    category: { slug: found.node.slug, name: found.node.name, description: found.node.description },
    trail: found.trail.map(({ slug: s, name }) => ({ slug: s, name })),
    children: found.node.children.map(({ slug: s, name }) => ({ slug: s, name })),
    ...listingView(path, url, list),
  };
}

/** A public page: browsers may keep it but revalidate; shared caches never store it. */
export function headers() {
  return { 'Cache-Control': HTML_CACHE.publicPage };
}

/** Title, description, canonical URL (without filters), alternates and Open Graph. */
export function meta({ loaderData, params }: Route.MetaArgs) {
  // Undefined when the loader ended with an error page (the boundary sets its own title).
  const page = loaderData as typeof loaderData | undefined;
  return page && isLocale(params.lang)
    ? seoMeta({
        origin: page.origin,
        lang: params.lang,
        path: `/c/${page.category.slug}`,
        title: `${page.category.name} — ${SITE_NAME}`,
        description: page.category.description,
      })
    : [];
}

/** The listing: facets as toggle links, a sort form (GET), the grid and pagination links. */
export default function Category() {
  const page = useLoaderData<typeof loader>();
  const t = useMessages(catalogueMessages);
  const common = useMessages(commonMessages);
  const href = useLocalePath();
  const url = (path: string) => `${page.origin}${href(path)}`;
  return (
    <>
      <JsonLd
        data={breadcrumbJsonLd([
          { name: common.home, url: url('/') },
          ...page.trail.map((c) => ({ name: c.name, url: url(`/c/${c.slug}`) })),
          { name: page.category.name, url: url(`/c/${page.category.slug}`) },
        ])}
      />
      <nav aria-label={common.breadcrumb} className="breadcrumb">
        <ol>
          <li>
            <Link to={href('/')}>{common.home}</Link>
          </li>
          {page.trail.map((c) => (
            <li key={c.slug}>
              <Link to={href(`/c/${c.slug}`)}>{c.name}</Link>
            </li>
          ))}
          <li aria-current="page">{page.category.name}</li>
        </ol>
      </nav>
      <h1>{page.category.name}</h1>
      <p className="lead">{page.category.description}</p>
      {page.children.length > 0 ? (
        <ul className="subcategories" aria-label={t.subcategories}>
          {page.children.map((c) => (
            <li key={c.slug}>
              <Link to={href(`/c/${c.slug}`)}>{c.name}</Link>
            </li>
          ))}
        </ul>
      ) : null}
      <ProductListing view={page} sortOptions={t.sort} countText={t.productCount(page.total)} />
    </>
  );
}
