import type { Money } from '@storefront/contracts';

const formatters = new Map<string, Intl.NumberFormat>();

/** Formats integer minor units as a localised price, e.g. `{ amount: 1999, currency: 'EUR' }` → €19.99. */
export function formatMoney(money: Money, locale = 'en-IE'): string {
  const key = `${locale}:${money.currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency });
    formatters.set(key, formatter);
  }
  return formatter.format(money.amount / 100);
}

/** A price or a "from – to" range when variants differ. */
export function formatPriceRange(from: Money, to: Money, locale = 'en-IE'): string {
  return from.amount === to.amount
    ? formatMoney(from, locale)
    : `${formatMoney(from, locale)} – ${formatMoney(to, locale)}`;
}
