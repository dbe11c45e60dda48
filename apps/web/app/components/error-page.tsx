import { Link, isRouteErrorResponse } from 'react-router';
import { useLocalePath, useMessages } from '../i18n/messages';
import { commonMessages } from '../i18n/messages/common';

/** Error pages that look like the shop: a 404 and a 400 say so, anything else gives no detail. */
export function ErrorPage({ error }: { error: unknown }) {
  const t = useMessages(commonMessages);
  const href = useLocalePath();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const [title, text] =
    status === 404
      ? [t.notFoundTitle, t.notFoundText]
      : status === 400
        ? [t.badRequestTitle, t.badRequestText]
        : [t.errorTitle, t.errorText];
  return (
    <section className="error-page" aria-labelledby="error-title">
      <title>{`${title} — ${t.shopName}`}</title>
      <h1 id="error-title">{title}</h1>
      <p>{text}</p>
      <p>
        <Link to={href('/')}>{t.backToShop}</Link>
      </p>
    </section>
  );
}
