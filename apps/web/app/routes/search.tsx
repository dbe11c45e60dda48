import { ProductListSchema, type CategoryTree } from '@storefront/contracts';
import { data, Form, Link, useLoaderData } from 'react-router';
import { ProductListing } from '../components/product-listing';
import { isLocale } from '../i18n/locale';
import { useLocalePath, useMessages } from '../i18n/messages';
import { catalogueMessages } from '../i18n/messages/catalogue';
import { searchMessages } from '../i18n/messages/search';
import { callApi } from '../lib/api-session.server';
import { fetchCategoryTree } from '../lib/catalogue-api.server';
import { pageError } from '../lib/http-status.server';
import { listingApiQuery, listingView, SEARCH_PARAMS } from '../lib/listing-params.server';
import { HTML_CACHE } from '../lib/security-headers.server';
import { seoMeta, SITE_NAME } from '../lib/seo';
import { publicBaseUrl } from '../lib/seo.server';
import type { Route } from './+types/search';

/** Longest search accepted (the API's `q` limit, `ListProductsQuerySchema`). */
export const MAX_QUERY_LENGTH = 100;

/** How many categories a search page suggests when it has nothing else to show. */
const SUGGESTED_CATEGORIES = 8;

/** The top-level categories with the most products: where to go when a search finds nothing. */
function topCategories(tree: CategoryTree): { slug: string; name: string }[] {
  return [...tree.items]
    .sort((a, b) => b.productCount - a.productCount)
    .slice(0, SUGGESTED_CATEGORIES)
    .map(({ slug, name }) => ({ slug, name }));
}

/**
 * `/:lang/search?q=…`: full-text search of the catalogue (`GET /api/products?q=…`, ranked by
 * relevance unless another sort is chosen), with the listing's facets, sort and pagination in
 * the URL. The API call is made *for the visitor* (`callApi`: their `X-Forwarded-For` goes with
 * it), so the API's search rate limit (`RATE_LIMIT_SEARCH`) counts each visitor, not the web
 * server; when it refuses, the page says so kindly with the same 429 status.
 */
export async function loader({ params, request }: Route.LoaderArgs) {
  if (!isLocale(params.lang)) pageError(404);
  const origin = publicBaseUrl();
  const url = new URL(request.url);
  const q = (url.searchParams.get('q') ?? '').trim();
  if (q === '') {
    return {
      origin,
      state: 'empty' as const,
      q,
      suggestions: topCategories(await fetchCategoryTree(request)),
    };
  }
  if (q.length > MAX_QUERY_LENGTH) {
    return data({ origin, state: 'too-long' as const, q, suggestions: [] }, { status: 400 });
  }
  const query = listingApiQuery({ q }, url);
  if (!query) pageError(400);
  const result = await callApi(request, `/products?${query.toString()}`, ProductListSchema);
  if (!result.ok) {
    if (result.status === 429) {
      return data(
        { origin, state: 'rate-limited' as const, q, suggestions: [] },
        { status: 429, headers: result.headers },
      );
    }
    pageError(result.status === 400 ? 400 : 502);
  }
  const list = result.data;
  if (list === null) pageError(502);
  const path = `/${params.lang}/search`;
  return data(
    {
      origin,
      state: 'results' as const,
      q,
      ...listingView(path, url, list, SEARCH_PARAMS),
      suggestions: list.total === 0 ? topCategories(await fetchCategoryTree(request)) : [],
    },
    { headers: result.headers },
  );
}

/**
 * Results are not personal (browsers may keep them, revalidating) and never indexed: a search
 * engine should index the catalogue's own pages, not endless result pages (also disallowed in
 * robots.txt). Error statuses (400, 429) are `no-store` whatever this says.
 */
export function headers() {
  return { 'Cache-Control': HTML_CACHE.publicPage, 'X-Robots-Tag': 'noindex' };
}

/** Title with the search terms; `noindex`. */
export function meta({ loaderData, params }: Route.MetaArgs) {
  // Undefined when the loader ended with an error page (the boundary sets its own title).
  const page = loaderData as typeof loaderData | undefined;
  if (!page || !isLocale(params.lang)) return [];
  const t = searchMessages[params.lang];
  const withTerms = page.state === 'results' || page.state === 'rate-limited';
  return seoMeta({
    origin: page.origin,
    lang: params.lang,
    path: '/search',
    title: `${withTerms ? t.resultsTitle(page.q) : t.title} — ${SITE_NAME}`,
    description: withTerms ? t.resultsDescription(page.q) : t.description,
    noindex: true,
  });
}

/** Links to categories, offered when a search has nothing to show. */
function CategorySuggestions({
  title,
  categories,
}: {
  title: string;
  categories: { slug: string; name: string }[];
}) {
  const href = useLocalePath();
  if (categories.length === 0) return null;
  return (
    <section aria-labelledby="search-suggestions-title" className="search-suggestions">
      <h2 id="search-suggestions-title">{title}</h2>
      <ul className="category-list">
        {categories.map((c) => (
          <li key={c.slug}>
            <Link to={href(`/c/${c.slug}`)}>{c.name}</Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The search page: the form, then results, or what to do when there are none. */
export default function Search() {
  const page = useLoaderData<typeof loader>();
  const t = useMessages(searchMessages);
  const catalogue = useMessages(catalogueMessages);
  const href = useLocalePath();
  const heading =
    page.state === 'results'
      ? page.total === 0
        ? t.noResultsTitle(page.q)
        : t.resultsTitle(page.q)
      : page.state === 'too-long'
        ? t.tooLongTitle
        : page.state === 'rate-limited'
          ? t.rateLimitedTitle
          : t.title;
  return (
    <>
      <h1>{heading}</h1>
      <Form method="get" action={href('/search')} className="search-form">
        <label htmlFor="search-q">{t.terms}</label>
        <input
          key={page.q}
          id="search-q"
          type="search"
          name="q"
          defaultValue={page.q}
          maxLength={MAX_QUERY_LENGTH}
          required
        />
        <button type="submit">{t.submit}</button>
      </Form>
      {page.state === 'empty' ? (
        <>
          <p>{t.emptyText}</p>
          <CategorySuggestions title={t.browse} categories={page.suggestions} />
        </>
      ) : null}
      {page.state === 'too-long' ? <p role="alert">{t.tooLongText(MAX_QUERY_LENGTH)}</p> : null}
      {page.state === 'rate-limited' ? (
        <p role="alert" className="notice">
          {t.rateLimitedText}
        </p>
      ) : null}
      {page.state === 'results' && page.total === 0 ? (
        <>
          <p role="status">{t.noResultsText}</p>
          <CategorySuggestions title={t.suggestions} categories={page.suggestions} />
        </>
      ) : null}
      {page.state === 'results' && page.total > 0 ? (
        <ProductListing
          view={page}
          sortOptions={{ relevance: t.relevance, ...catalogue.sort }}
          hidden={{ q: page.q }}
          countText={t.resultCount(page.total, page.q)}
        />
      ) : null}
    </>
  );
}
