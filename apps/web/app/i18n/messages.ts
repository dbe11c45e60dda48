import { useParams } from 'react-router';
import { DEFAULT_LOCALE, INTL_LOCALE, isLocale, localePath, type Locale } from './locale';

/**
 * Translations are plain typed objects, one module per area (`messages/*.ts`), each with an
 * English and a French dictionary of the same shape: a missing or extra key is a type error, so
 * a page can never render a key instead of text. Messages with values are functions.
 */
export type Messages<T> = { readonly en: T; readonly fr: T };

/** Declares an area's dictionaries; `fr` must have exactly the keys of `en`. */
export function defineMessages<T extends Record<string, unknown>>(messages: {
  en: T;
  fr: NoInfer<T>;
}): Messages<T> {
  return messages;
}

/** The language of the current page, from its URL (`/:lang/…`); the default outside them. */
export function useLocale(): Locale {
  const { lang } = useParams();
  return isLocale(lang) ? lang : DEFAULT_LOCALE;
}

/** The current page's dictionary of an area: `const t = useMessages(cartMessages)`. */
export function useMessages<T>(messages: Messages<T>): T {
  return messages[useLocale()];
}

/** Builds links in the current language: `const href = useLocalePath(); href('/c/shoes')`. */
export function useLocalePath(): (path?: string) => string {
  const locale = useLocale();
  return (path = '/') => localePath(locale, path);
}

/** The `Intl` locale of the current page (for `formatMoney` and dates). */
export function useIntlLocale(): string {
  return INTL_LOCALE[useLocale()];
}
