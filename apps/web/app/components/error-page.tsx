import { Link, isRouteErrorResponse } from 'react-router';

/** Error pages that look like the shop: a 404 and a 400 say so, anything else gives no detail. */
export function ErrorPage({ error }: { error: unknown }) {
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const title =
    status === 404
      ? 'Page not found'
      : status === 400
        ? 'This link is not valid'
        : 'Something went wrong';
  return (
    <section className="error-page" aria-labelledby="error-title">
      <title>{`${title} — Storefront`}</title>
      <h1 id="error-title">{title}</h1>
      <p>
        {status === 404
          ? 'We could not find that page. It may have moved, or the product is no longer sold.'
          : status === 400
            ? 'Some filters in this address are not valid.'
            : 'Please try again in a moment.'}
      </p>
      <p>
        <Link to="/">Back to the shop</Link>
      </p>
    </section>
  );
}
