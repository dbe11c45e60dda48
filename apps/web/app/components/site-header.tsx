import { Form, Link, useLocation } from 'react-router';
import { LOCALES, LOCALE_NAMES, switchLocalePath } from '../i18n/locale';
import { useLocale, useLocalePath, useMessages } from '../i18n/messages';
import { commonMessages } from '../i18n/messages/common';
import { AccountHeaderLink } from './account-header-link';

/** The shop's header: brand, search (a GET form, works without JavaScript), cart, account, language. */
export function SiteHeader() {
  const t = useMessages(commonMessages);
  const locale = useLocale();
  const href = useLocalePath();
  const { pathname, search } = useLocation();
  return (
    <header className="site-header">
      <Link to={href('/')} className="brand">
        {t.shopName}
      </Link>
      <Form method="get" action={href('/search')} role="search" className="site-search">
        <label htmlFor="site-search-q" className="visually-hidden">
          {t.searchLabel}
        </label>
        <input id="site-search-q" type="search" name="q" maxLength={100} required />
        <button type="submit">{t.search}</button>
      </Form>
      <nav aria-label={t.mainNavigation} className="site-nav">
        <ul>
          <li>
            <Link to={href('/cart')}>{t.cart}</Link>
          </li>
          <li>
            <AccountHeaderLink />
          </li>
          <li className="language-switch">
            <span className="visually-hidden">{t.language}: </span>
            {LOCALES.filter((l) => l !== locale).map((l) => (
              <Link
                key={l}
                to={switchLocalePath(`${pathname}${search}`, l)}
                hrefLang={l}
                lang={l}
                reloadDocument
              >
                {LOCALE_NAMES[l]}
              </Link>
            ))}
          </li>
        </ul>
      </nav>
    </header>
  );
}
