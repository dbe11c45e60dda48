import type { ReactNode } from 'react';
import { Form, NavLink } from 'react-router';
import type { ErrorCode } from '@storefront/contracts';
import { useLocalePath, useMessages } from '../i18n/messages';
import { accountMessages, type AccountMessages } from '../i18n/messages/account';
import { ACCOUNT_PATHS } from '../lib/account-paths';
import { CsrfField } from './form-fields';

/**
 * Building blocks of the account pages: the page frame (title, heading, the account's own
 * navigation with its sign-out form), the alert that summarises a refused form, and status notes.
 */

/** The session facts every account page's loader returns (also read by the site header). */
export interface AccountSessionData {
  signedIn: boolean;
  csrfToken: string | null;
}

/** What an account form action answered (see `ActionResult` in lib/account.server.ts). */
export interface FormResult {
  ok: boolean;
  form: string | null;
  failure: { code: ErrorCode; fields: Record<string, string> } | null;
  values: Record<string, string>;
  payload?: unknown;
}

/** The action's answer if it is about form `name` (pages with several forms), else undefined. */
export function resultFor(
  result: FormResult | undefined,
  name: string | null = null,
): FormResult | undefined {
  return result && result.form === name ? result : undefined;
}

/** The visitor-facing text of an API refusal. */
export function errorText(t: AccountMessages, code: string): string {
  return (t.errors as Record<string, string | undefined>)[code] ?? t.errors.fallback;
}

/** A page of the account: its title (document and heading), the account menu when signed in. */
export function AccountPage({
  title,
  session,
  children,
  wide = false,
}: {
  title: string;
  /** Shows the account menu (signed-in pages). */
  session?: AccountSessionData | undefined;
  children: ReactNode;
  wide?: boolean;
}) {
  const t = useMessages(accountMessages);
  return (
    <div className={session?.signedIn ? 'account account-layout' : 'account account-single'}>
      <title>{`${title} — ${t.titleSuffix}`}</title>
      {session?.signedIn ? <AccountNav csrfToken={session.csrfToken} /> : null}
      <section
        className={wide ? 'account-page wide' : 'account-page'}
        aria-labelledby="account-title"
      >
        <h1 id="account-title">{title}</h1>
        {children}
      </section>
    </div>
  );
}

/** The account's own menu, with the sign-out button (a POST form: signing out changes state). */
export function AccountNav({ csrfToken }: { csrfToken: string | null }) {
  const t = useMessages(accountMessages);
  const href = useLocalePath();
  const items: [string, string][] = [
    [ACCOUNT_PATHS.home, t.nav.home],
    [ACCOUNT_PATHS.orders, t.nav.orders],
    [ACCOUNT_PATHS.addresses, t.nav.addresses],
    [ACCOUNT_PATHS.security, t.nav.security],
    [ACCOUNT_PATHS.sessions, t.nav.sessions],
  ];
  return (
    <nav className="account-nav" aria-label={t.nav.label}>
      <ul>
        {items.map(([path, label]) => (
          <li key={path}>
            <NavLink to={href(path)} end={path === ACCOUNT_PATHS.home}>
              {label}
            </NavLink>
          </li>
        ))}
      </ul>
      <SignOutForm csrfToken={csrfToken} />
    </nav>
  );
}

/**
 * Signing out: a POST with the CSRF token that reloads the whole document (`reloadDocument`),
 * so nothing of the signed-in pages stays in the browser's memory.
 */
export function SignOutForm({
  csrfToken,
  label,
}: {
  csrfToken: string | null;
  label?: string | undefined;
}) {
  const t = useMessages(accountMessages);
  const href = useLocalePath();
  return (
    <Form method="post" action={href(ACCOUNT_PATHS.signOut)} reloadDocument className="sign-out">
      <CsrfField token={csrfToken} />
      <button type="submit" className="link-button">
        {label ?? t.nav.signOut}
      </button>
    </Form>
  );
}

/** The summary of a refused form, announced to screen readers. */
export function FormAlert({ result }: { result: FormResult | undefined }) {
  const t = useMessages(accountMessages);
  if (!result?.failure) return null;
  return (
    <div className="form-alert" role="alert">
      <p>{errorText(t, result.failure.code)}</p>
    </div>
  );
}

/** A confirmation or information note, announced politely. */
export function Notice({ children }: { children: ReactNode }) {
  return (
    <p className="notice" role="status">
      {children}
    </p>
  );
}

/** The field's error from the API (next to the field), if the form was refused for it. */
export function fieldError(result: FormResult | undefined, ...names: string[]): string | undefined {
  if (!result?.failure) return undefined;
  for (const name of names) {
    const message = result.failure.fields[name];
    if (message) return message;
  }
  return undefined;
}

/** Recovery codes, shown once after a second factor is set up or the codes are replaced. */
export function RecoveryCodes({
  codes,
  title,
  text,
}: {
  codes: readonly string[];
  title: string;
  text: string;
}) {
  return (
    <section className="recovery-codes" aria-labelledby="recovery-codes-title">
      <h2 id="recovery-codes-title">{title}</h2>
      <p>{text}</p>
      <ul>
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Recovery codes in an action's payload, if that is what it carries. */
export function recoveryCodesOf(result: FormResult | undefined): string[] | null {
  const payload = result?.payload as { recoveryCodes?: unknown } | undefined;
  const codes = payload?.recoveryCodes;
  return Array.isArray(codes) && codes.every((c) => typeof c === 'string') ? codes : null;
}
