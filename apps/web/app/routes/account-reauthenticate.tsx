import { LoginResponseSchema, ProfileSchema } from '@storefront/contracts';
import { Form, useActionData, useLoaderData, useNavigate } from 'react-router';
import { PasskeyButton } from '../components/account-passkey';
import { AccountPage, FormAlert, fieldError, type FormResult } from '../components/account-ui';
import { CsrfField, Field } from '../components/form-fields';
import { useLocalePath, useMessages } from '../i18n/messages';
import { accountMessages } from '../i18n/messages/account';
import { ACCOUNT_PATHS } from '../lib/account-paths';
import {
  AccountApi,
  localeOf,
  pagePath,
  readForm,
  redirectTo,
  requireSignedIn,
  sessionData,
} from '../lib/account.server';
import { safeReturnTo } from '../lib/return-to';
import type { Route } from './+types/account-reauthenticate';

/**
 * Step-up: the API wants a recent proof before a sensitive change (email, second factors,
 * passkeys). Accounts with a second factor give a code (or use a passkey): a stolen password alone
 * is not enough; others give their password. Then back to `?returnTo=`.
 */
export async function loader(args: Route.LoaderArgs) {
  localeOf(args.params);
  const api = new AccountApi(args);
  const state = await requireSignedIn(args, api);
  const profile = await api.need('/account/profile', ProfileSchema);
  const returnTo = safeReturnTo(new URL(args.request.url).searchParams.get('returnTo'));
  return {
    accountSession: sessionData(state),
    withCode: profile.mfa.totp || profile.mfa.passkeys > 0,
    passkeys: profile.mfa.passkeys > 0,
    returnTo,
  };
}

/** `POST /api/auth/reauthenticate` (the session gets a new id), then the page that asked. */
export async function action(args: Route.ActionArgs) {
  const lang = localeOf(args.params);
  const api = new AccountApi(args);
  const form = await readForm(args.request);
  const code = form.text('code');
  const result = await api.call('/auth/reauthenticate', LoginResponseSchema, {
    method: 'POST',
    body: code !== null ? { code: code.trim() } : { password: form.text('password') ?? '' },
    csrfToken: form.csrf,
  });
  if (!result.ok) return api.failure(result.error, result.status);
  const returnTo = safeReturnTo(form.text('returnTo'));
  return redirectTo(returnTo ?? pagePath(lang, ACCOUNT_PATHS.security), api.headers);
}

/** The "confirm it's you" page. */
export default function Reauthenticate() {
  const { accountSession, withCode, passkeys, returnTo } = useLoaderData<typeof loader>();
  const result = useActionData<FormResult>();
  const t = useMessages(accountMessages);
  const href = useLocalePath();
  const navigate = useNavigate();
  return (
    <AccountPage title={t.reauth.title} session={accountSession}>
      <p>{t.reauth.intro}</p>
      <FormAlert result={result} />
      <Form method="post" className="account-form">
        <CsrfField token={accountSession.csrfToken} />
        {returnTo ? <input type="hidden" name="returnTo" value={returnTo} /> : null}
        {withCode ? (
          <Field
            name="code"
            label={t.reauth.codeLabel}
            autoComplete="one-time-code"
            maxLength={40}
            required
            error={fieldError(result, 'code')}
          />
        ) : (
          <Field
            name="password"
            type="password"
            label={t.fields.password}
            autoComplete="current-password"
            required
            maxLength={256}
            error={fieldError(result, 'password')}
          />
        )}
        <button type="submit" className="primary">
          {t.reauth.submit}
        </button>
      </Form>
      {passkeys ? (
        <PasskeyButton
          kind="step-up"
          label={t.reauth.passkey}
          csrfToken={accountSession.csrfToken}
          onSignedIn={() => {
            void navigate(returnTo ?? href(ACCOUNT_PATHS.security));
          }}
        />
      ) : null}
    </AccountPage>
  );
}
