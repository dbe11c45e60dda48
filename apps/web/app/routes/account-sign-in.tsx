import { LoginResponseSchema } from '@storefront/contracts';
import { useEffect, useRef } from 'react';
import { Form, Link, useActionData, useLoaderData } from 'react-router';
import { PasskeyButton } from '../components/account-passkey';
import {
  AccountPage,
  FormAlert,
  Notice,
  fieldError,
  type FormResult,
} from '../components/account-ui';
import { CsrfField, Field } from '../components/form-fields';
import { useLocalePath, useMessages } from '../i18n/messages';
import { accountMessages } from '../i18n/messages/account';
import { ACCOUNT_PATHS, withReturnTo } from '../lib/account-paths';
import {
  AccountApi,
  localeOf,
  pagePath,
  readForm,
  redirectTo,
  sessionData,
} from '../lib/account.server';
import { safeReturnTo } from '../lib/return-to';
import type { Route } from './+types/account-sign-in';

/** Notes the sign-in page shows when another page sends the visitor here. */
const NOTICES = ['signedOut', 'passwordReset', 'invited'] as const;

/**
 * The sign-in page. `?returnTo=` (where to go afterwards) is kept only if it is a page of this
 * shop (lib/return-to.ts); anything else is dropped and the visitor lands on the account page.
 */
export async function loader(args: Route.LoaderArgs) {
  const lang = localeOf(args.params);
  const api = new AccountApi(args);
  const search = new URL(args.request.url).searchParams;
  const returnTo = safeReturnTo(search.get('returnTo'));
  const state = await api.session();
  if (state.authenticated) {
    redirectTo(returnTo ?? pagePath(lang, ACCOUNT_PATHS.home), api.headers);
  }
  const notice = NOTICES.find((n) => search.get(n) === '1') ?? null;
  return { accountSession: sessionData(state), returnTo, notice };
}

/**
 * Password sign-in (`POST /api/auth/login`). Then, by the API's answer: the return page (or the
 * account), the second-factor page, or — staff without one — the set-up of a second factor. The
 * session id changes here (the API's `Set-Cookie` is relayed with the redirect).
 */
export async function action(args: Route.ActionArgs) {
  const lang = localeOf(args.params);
  const api = new AccountApi(args);
  const form = await readForm(args.request);
  const email = form.text('email') ?? '';
  const returnTo = safeReturnTo(form.text('returnTo'));
  const result = await api.call('/auth/login', LoginResponseSchema, {
    method: 'POST',
    body: { email, password: form.text('password') ?? '' },
    csrfToken: form.csrf,
  });
  if (!result.ok) return api.failure(result.error, result.status, { email });
  const login = result.data;
  if (login?.status === 'mfa-required') {
    const factors = login.secondFactors?.join(',') ?? '';
    const next = withReturnTo(pagePath(lang, ACCOUNT_PATHS.secondFactor), returnTo);
    redirectTo(
      factors ? `${next}${next.includes('?') ? '&' : '?'}factors=${factors}` : next,
      api.headers,
    );
  }
  if (login?.status === 'mfa-enrolment-required') {
    redirectTo(withReturnTo(pagePath(lang, ACCOUNT_PATHS.twoFactor), returnTo), api.headers);
  }
  return redirectTo(returnTo ?? pagePath(lang, ACCOUNT_PATHS.home), api.headers);
}

/** The sign-in page: password form (works without JavaScript), and passkeys where available. */
export default function SignIn() {
  const { accountSession, returnTo, notice } = useLoaderData<typeof loader>();
  const result = useActionData<FormResult>();
  const t = useMessages(accountMessages);
  const href = useLocalePath();
  const form = useRef<HTMLFormElement>(null);
  // As without JavaScript (the page comes back without it), a refused password is not kept.
  useEffect(() => {
    const password = form.current?.elements.namedItem('password');
    if (result?.failure && password instanceof HTMLInputElement) password.value = '';
  }, [result]);
  return (
    <AccountPage title={t.signInPage.title}>
      {notice && !result ? <Notice>{t.signInPage[notice]}</Notice> : null}
      <FormAlert result={result} />
      <Form method="post" className="account-form" ref={form}>
        <CsrfField token={accountSession.csrfToken} />
        {returnTo ? <input type="hidden" name="returnTo" value={returnTo} /> : null}
        <Field
          name="email"
          type="email"
          label={t.fields.email}
          autoComplete="username webauthn"
          required
          maxLength={254}
          defaultValue={result?.values['email'] ?? ''}
          error={fieldError(result, 'email')}
        />
        <Field
          name="password"
          type="password"
          label={t.fields.password}
          autoComplete="current-password"
          required
          maxLength={256}
          error={fieldError(result, 'password')}
        />
        <button type="submit" className="primary">
          {t.signInPage.submit}
        </button>
      </Form>
      <PasskeyButton
        kind="passwordless"
        label={t.signInPage.passkey}
        csrfToken={accountSession.csrfToken}
        failureText={t.signInPage.passkeyFailed}
        onSignedIn={() => {
          // A whole new document: nothing of the signed-out page stays in memory.
          window.location.assign(returnTo ?? href(ACCOUNT_PATHS.home));
        }}
      />
      <p>
        <Link to={href(ACCOUNT_PATHS.forgotPassword)}>{t.signInPage.forgot}</Link>
      </p>
      <p>
        {t.signInPage.noAccount}{' '}
        <Link to={href(ACCOUNT_PATHS.register)}>{t.signInPage.register}</Link>
      </p>
    </AccountPage>
  );
}
