import { LoginResponseSchema } from '@storefront/contracts';
import { Form, useActionData, useLoaderData } from 'react-router';
import { PasskeyButton } from '../components/account-passkey';
import {
  AccountPage,
  FormAlert,
  SignOutForm,
  fieldError,
  resultFor,
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
import type { Route } from './+types/account-second-factor';

const FACTORS = ['totp', 'passkey', 'recovery-code'] as const;
type Factor = (typeof FACTORS)[number];

/**
 * The second step of a sign-in whose password was accepted (`mfa-required`). `?factors=` (from
 * the sign-in answer) only chooses which forms to show; the API decides what it accepts.
 */
export async function loader(args: Route.LoaderArgs) {
  const lang = localeOf(args.params);
  const api = new AccountApi(args);
  const search = new URL(args.request.url).searchParams;
  const returnTo = safeReturnTo(search.get('returnTo'));
  const state = await api.session();
  if (state.authenticated) redirectTo(returnTo ?? pagePath(lang, ACCOUNT_PATHS.home), api.headers);
  if (state.status !== 'mfa-required') {
    redirectTo(withReturnTo(pagePath(lang, ACCOUNT_PATHS.signIn), returnTo), api.headers);
  }
  const listed = (search.get('factors') ?? '')
    .split(',')
    .filter((f): f is Factor => (FACTORS as readonly string[]).includes(f));
  const factors: Factor[] = listed.length > 0 ? listed : [...FACTORS];
  return { accountSession: sessionData(state), returnTo, factors };
}

/** Completes the sign-in with a code (`POST /api/auth/mfa`): the session gets a new id. */
export async function action(args: Route.ActionArgs) {
  const lang = localeOf(args.params);
  const api = new AccountApi(args);
  const form = await readForm(args.request);
  const method = form.text('method') === 'recovery-code' ? 'recovery-code' : 'totp';
  const returnTo = safeReturnTo(form.text('returnTo'));
  const result = await api.call('/auth/mfa', LoginResponseSchema, {
    method: 'POST',
    body: {
      method,
      code: (form.text(method === 'totp' ? 'code' : 'recoveryCode') ?? '').trim(),
    },
    csrfToken: form.csrf,
  });
  if (!result.ok) return api.failure(result.error, result.status, {}, method);
  return redirectTo(returnTo ?? pagePath(lang, ACCOUNT_PATHS.home), api.headers);
}

/** The second-factor page. */
export default function SecondFactor() {
  const { accountSession, returnTo, factors } = useLoaderData<typeof loader>();
  const actionResult = useActionData<FormResult>();
  const t = useMessages(accountMessages);
  const href = useLocalePath();
  const totp = resultFor(actionResult, 'totp');
  const recovery = resultFor(actionResult, 'recovery-code');
  const hidden = (
    <>
      <CsrfField token={accountSession.csrfToken} />
      {returnTo ? <input type="hidden" name="returnTo" value={returnTo} /> : null}
    </>
  );
  return (
    <AccountPage title={t.secondFactor.title}>
      {factors.includes('totp') ? (
        <>
          <p>{t.secondFactor.intro}</p>
          <FormAlert result={totp} />
          <Form method="post" className="account-form">
            {hidden}
            <input type="hidden" name="method" value="totp" />
            <Field
              name="code"
              label={t.fields.code}
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              autoFocus
              error={fieldError(totp, 'code')}
            />
            <button type="submit" className="primary">
              {t.secondFactor.submit}
            </button>
          </Form>
        </>
      ) : null}
      {factors.includes('passkey') ? (
        <PasskeyButton
          kind="second-factor"
          label={t.secondFactor.passkey}
          csrfToken={accountSession.csrfToken}
          onSignedIn={() => {
            window.location.assign(returnTo ?? href(ACCOUNT_PATHS.home));
          }}
        />
      ) : null}
      {factors.includes('recovery-code') ? (
        <details className="recovery-form" open={recovery !== undefined}>
          <summary>{t.secondFactor.recoveryToggle}</summary>
          <FormAlert result={recovery} />
          <Form method="post" className="account-form">
            {hidden}
            <input type="hidden" name="method" value="recovery-code" />
            <Field
              name="recoveryCode"
              label={t.fields.recoveryCode}
              autoComplete="off"
              maxLength={40}
              required
              error={fieldError(recovery, 'code', 'recoveryCode')}
            />
            <button type="submit">{t.secondFactor.recoverySubmit}</button>
          </Form>
        </details>
      ) : null}
      <SignOutForm csrfToken={accountSession.csrfToken} label={t.secondFactor.cancel} />
    </AccountPage>
  );
}
