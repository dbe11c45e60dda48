/**
 * Dates of the account pages (sessions, passkeys, orders), in the page's `Intl` locale and in UTC,
 * so the server's rendering and the browser's hydration agree.
 */
export function formatDate(iso: string, intlLocale: string, withTime = false): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const text = new Intl.DateTimeFormat(intlLocale, {
    dateStyle: 'long',
    ...(withTime ? { timeStyle: 'short' } : {}),
    timeZone: 'UTC',
  }).format(date);
  return withTime ? `${text} UTC` : text;
}
