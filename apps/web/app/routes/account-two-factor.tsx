import { ProfileSchema, RecoveryCodesSchema, TotpEnrolmentSchema } from '@storefront/contracts';
import { useState } from 'react';
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useNavigate,
  useRevalidator,
} from 'react-router';
import { PasskeyRegistration } from '../components/account-passkey';
import { TotpSetup } from '../components/account-totp';
import {
  AccountPage,
  FormAlert,
  Notice,
  RecoveryCodes,
  SignOutForm,
  fieldError,
  recoveryCodesOf,
  resultFor,
  type FormResult,
} from '../components/account-ui';
import { CsrfField, Field } from '../components/form-fields';
import { useLocalePath, useMessages } from '../i18n/messages';
import { accountMessages } from '../i18n/messages/account';
import { ACCOUNT_PATHS, withReturnTo } from '../lib/account-paths';
import {
  AccountApi,
  currentPage,
  localeOf,
  readForm,
  requireSignedIn,
  sessionData,
} from '../lib/account.server';
import { safeReturnTo } from '../lib/return-to';
import type { Route } from './+types/account-two-factor';

/** What an `otpauth://` URI and its base32 secret look like (echoed back by the confirm form). */
const OTPAUTH_URI = /^otpauth:\/\/totp\/[\x21-\x7e]{1,512}$/;
const BASE32_SECRET = /^[A-Z2-7]{16,128}=*$/;

/**
 * Setting up an authenticator app (TOTP). Also the page a staff member lands on at first sign-in
 * (`mfa-enrolment-required`): such a session may do nothing else until a second factor exists.
 */
export async function loader(args: Route.LoaderArgs) {
  localeOf(args.params);
  const api = new AccountApi(args);
  const state = await requireSignedIn(args, api, { allowEnrolment: true });
  const forced = state.status === 'mfa-enrolment-required';
  const totpOn = forced ? false : (await api.need('/account/profile', ProfileSchema)).mfa.totp;
  const returnTo = safeReturnTo(new URL(args.request.url).searchParams.get('returnTo'));
  return {
    accountSession: sessionData(state),
    forced,
    totpOn,
    returnTo,
    here: currentPage(args.request),
  };
}

/**
 * `begin`: a new secret (`POST /api/account/mfa/totp`, step-up); `confirm`: the first code
 * (`POST …/confirm`), answered with the recovery codes, shown once. Confirming gives the session a
 * new id (a forced enrolment becomes a full sign-in).
 */
export async function action(args: Route.ActionArgs) {
  localeOf(args.params);
  const api = new AccountApi(args);
  const form = await readForm(args.request);
  if (form.text('intent') === 'confirm') {
    const uri = form.text('otpauthUri') ?? '';
    const secret = form.text('secret') ?? '';
    // The setup stays on screen after a wrong code (the API keeps the pending secret).
    const values: Record<string, string> =
      OTPAUTH_URI.test(uri) && BASE32_SECRET.test(secret) ? { otpauthUri: uri, secret } : {};
    const result = await api.call('/account/mfa/totp/confirm', RecoveryCodesSchema, {
      method: 'POST',
      body: { code: (form.text('code') ?? '').trim() },
      csrfToken: form.csrf,
    });
    if (!result.ok) return api.failure(result.error, result.status, values, 'confirm');
    return api.done('confirm', { payload: { recoveryCodes: result.data?.recoveryCodes ?? [] } });
  }
  const result = await api.call('/account/mfa/totp', TotpEnrolmentSchema, {
    method: 'POST',
    csrfToken: form.csrf,
  });
  if (!result.ok) return api.failure(result.error, result.status, {}, 'begin');
  return api.done('begin', {
    values: result.data ? { otpauthUri: result.data.otpauthUri, secret: result.data.secret } : {},
  });
}

/** The authenticator app set-up page. */
export default function TwoFactor() {
  const { accountSession, forced, totpOn, returnTo, here } = useLoaderData<typeof loader>();
  const actionResult = useActionData<FormResult>();
  const t = useMessages(accountMessages);
  const href = useLocalePath();
  const navigate = useNavigate();
  const revalidator = useRevalidator();
  const [passkeyCodes, setPasskeyCodes] = useState<string[] | null | undefined>(undefined);
  const begin = resultFor(actionResult, 'begin');
  const confirm = resultFor(actionResult, 'confirm');
  const next = returnTo ?? href(ACCOUNT_PATHS.home);
  const codes = confirm?.ok ? recoveryCodesOf(confirm) : passkeyCodes;

  if (confirm?.ok || passkeyCodes !== undefined) {
    return (
      <AccountPage title={t.twoFactor.doneTitle}>
        {codes && codes.length > 0 ? (
          <RecoveryCodes
            codes={codes}
            title={t.twoFactor.recoveryTitle}
            text={t.twoFactor.recoveryText}
          />
        ) : (
          <Notice>{t.security.passkeyAddDone}</Notice>
        )}
        <p>
          <Link to={next} className="button-link">
            {t.twoFactor.continue}
          </Link>
        </p>
      </AccountPage>
    );
  }

  const setup = begin?.ok ? begin.values : confirm?.values;
  const uri = setup?.['otpauthUri'];
  const secret = setup?.['secret'];
  return (
    <AccountPage title={t.twoFactor.title} session={forced ? undefined : accountSession}>
      {forced ? <Notice>{t.twoFactor.forced}</Notice> : null}
      {totpOn ? (
        <Notice>{t.twoFactor.already}</Notice>
      ) : uri && secret ? (
        <>
          <TotpSetup uri={uri} secret={secret} texts={t.twoFactor} />
          <FormAlert result={confirm} />
          <Form method="post" className="account-form">
            <CsrfField token={accountSession.csrfToken} />
            <input type="hidden" name="intent" value="confirm" />
            <input type="hidden" name="otpauthUri" value={uri} />
            <input type="hidden" name="secret" value={secret} />
            <Field
              name="code"
              label={t.twoFactor.confirmLabel}
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              error={fieldError(confirm, 'code')}
            />
            <button type="submit" className="primary">
              {t.twoFactor.confirm}
            </button>
          </Form>
        </>
      ) : (
        <>
          <p>{t.twoFactor.intro}</p>
          <FormAlert result={begin} />
          <Form method="post" className="account-form">
            <CsrfField token={accountSession.csrfToken} />
            <input type="hidden" name="intent" value="begin" />
            <button type="submit" className="primary">
              {t.twoFactor.start}
            </button>
          </Form>
        </>
      )}
      {forced ? (
        <section aria-labelledby="passkey-instead">
          <h2 id="passkey-instead">{t.twoFactor.orPasskey}</h2>
          <PasskeyRegistration
            csrfToken={accountSession.csrfToken}
            onAdded={(recoveryCodes) => {
              setPasskeyCodes(recoveryCodes);
              void revalidator.revalidate();
            }}
            onReauthenticate={() => {
              void navigate(withReturnTo(href(ACCOUNT_PATHS.reauthenticate), here));
            }}
          />
          <SignOutForm csrfToken={accountSession.csrfToken} />
        </section>
      ) : null}
    </AccountPage>
  );
}
