import {
  AcceptedResponseSchema,
  PasskeyListSchema,
  PasskeySummarySchema,
  ProfileSchema,
} from '@storefront/contracts';
import { useState } from 'react';
import {
  Form,
  Link,
  useActionData,
  useLoaderData,
  useNavigate,
  useRevalidator,
} from 'react-router';
import { z } from 'zod';
import { PasskeyRegistration } from '../components/account-passkey';
import {
  AccountPage,
  FormAlert,
  Notice,
  RecoveryCodes,
  fieldError,
  recoveryCodesOf,
  resultFor,
  type FormResult,
} from '../components/account-ui';
import { CsrfField, Field } from '../components/form-fields';
import { useIntlLocale, useLocalePath, useMessages } from '../i18n/messages';
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
import { formatDate } from '../lib/account-format';
import type { Route } from './+types/account-security';

/** The answer of `POST /api/account/mfa/recovery-codes`. */
const NewRecoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()) });
/** A passkey id from a form: only a uuid may go into the API path. */
const PasskeyIdSchema = z.uuid();

/** Password, email address, second factors and passkeys of the signed-in account. */
export async function loader(args: Route.LoaderArgs) {
  localeOf(args.params);
  const api = new AccountApi(args);
  const state = await requireSignedIn(args, api);
  const [profile, passkeys] = await Promise.all([
    api.need('/account/profile', ProfileSchema),
    api.need('/account/passkeys', PasskeyListSchema),
  ]);
  return {
    accountSession: sessionData(state),
    profile,
    passkeys: passkeys.passkeys,
    here: currentPage(args.request),
  };
}

/**
 * One action per form (`intent`). Changes the API guards with a step-up send the visitor to
 * confirm it is them first (`REAUTHENTICATION_REQUIRED`, handled by `AccountApi.failure`).
 */
export async function action(args: Route.ActionArgs) {
  localeOf(args.params);
  const api = new AccountApi(args);
  const form = await readForm(args.request);
  const intent = form.text('intent') ?? '';
  const csrfToken = form.csrf;
  switch (intent) {
    case 'password': {
      const result = await api.call('/account/password', null, {
        method: 'POST',
        body: {
          currentPassword: form.text('currentPassword') ?? '',
          newPassword: form.text('newPassword') ?? '',
          signOutOtherSessions: form.checked('signOutOtherSessions'),
        },
        csrfToken,
      });
      return result.ok ? api.done(intent) : api.failure(result.error, result.status, {}, intent);
    }
    case 'email': {
      const newEmail = form.text('newEmail') ?? '';
      const result = await api.call('/account/email', AcceptedResponseSchema, {
        method: 'POST',
        body: { newEmail },
        csrfToken,
      });
      return result.ok
        ? api.done(intent)
        : api.failure(result.error, result.status, { newEmail }, intent);
    }
    case 'totp-remove': {
      const result = await api.call('/account/mfa/totp', null, { method: 'DELETE', csrfToken });
      return result.ok ? api.done(intent) : api.failure(result.error, result.status, {}, intent);
    }
    case 'recovery': {
      const result = await api.call('/account/mfa/recovery-codes', NewRecoveryCodesSchema, {
        method: 'POST',
        csrfToken,
      });
      return result.ok
        ? api.done(intent, { payload: { recoveryCodes: result.data?.recoveryCodes ?? [] } })
        : api.failure(result.error, result.status, {}, intent);
    }
    case 'passkey-rename':
    case 'passkey-remove': {
      const id = PasskeyIdSchema.safeParse(form.text('passkeyId'));
      if (!id.success) {
        return api.failure({ code: 'NOT_FOUND', message: '', requestId: '' }, 404, {}, intent);
      }
      const result =
        intent === 'passkey-rename'
          ? await api.call(`/account/passkeys/${id.data}`, PasskeySummarySchema, {
              method: 'PATCH',
              body: { name: form.text('name') ?? '' },
              csrfToken,
            })
          : await api.call(`/account/passkeys/${id.data}`, null, { method: 'DELETE', csrfToken });
      return result.ok
        ? api.done(intent, { values: { passkeyId: id.data } })
        : api.failure(result.error, result.status, { passkeyId: id.data }, intent);
    }
    default:
      return api.failure({ code: 'VALIDATION_FAILED', message: '', requestId: '' }, 400);
  }
}

/** The sign-in and security page. */
export default function Security() {
  const { accountSession, profile, passkeys, here } = useLoaderData<typeof loader>();
  const actionResult = useActionData<FormResult>();
  const t = useMessages(accountMessages);
  const href = useLocalePath();
  const intl = useIntlLocale();
  const navigate = useNavigate();
  const revalidator = useRevalidator();
  const [passkeyCodes, setPasskeyCodes] = useState<string[] | null | undefined>(undefined);
  const password = resultFor(actionResult, 'password');
  const email = resultFor(actionResult, 'email');
  const totpRemove = resultFor(actionResult, 'totp-remove');
  const recovery = resultFor(actionResult, 'recovery');
  const rename = resultFor(actionResult, 'passkey-rename');
  const remove = resultFor(actionResult, 'passkey-remove');
  const csrf = <CsrfField token={accountSession.csrfToken} />;
  const newCodes = recovery?.ok ? recoveryCodesOf(recovery) : passkeyCodes;
  const wrongCurrent = password?.failure?.code === 'INVALID_CREDENTIALS';

  return (
    <AccountPage title={t.security.title} session={accountSession}>
      <section aria-labelledby="password-title" className="account-section">
        <h2 id="password-title">{t.security.passwordTitle}</h2>
        {password?.ok ? <Notice>{t.security.passwordDone}</Notice> : null}
        {wrongCurrent ? null : <FormAlert result={password} />}
        <Form method="post" className="account-form">
          {csrf}
          <input type="hidden" name="intent" value="password" />
          <Field
            name="currentPassword"
            type="password"
            label={t.fields.currentPassword}
            autoComplete="current-password"
            required
            maxLength={256}
            error={wrongCurrent ? t.security.wrongCurrent : fieldError(password, 'currentPassword')}
          />
          <Field
            name="newPassword"
            type="password"
            label={t.fields.newPassword}
            hint={profile.kind === 'staff' ? t.fields.staffPasswordHint : t.fields.passwordHint}
            autoComplete="new-password"
            required
            minLength={profile.kind === 'staff' ? 15 : 12}
            maxLength={256}
            error={fieldError(password, 'newPassword', 'password')}
          />
          <div className="checkbox">
            <input
              id="field-signOutOtherSessions"
              type="checkbox"
              name="signOutOtherSessions"
              value="true"
              defaultChecked
            />
            <label htmlFor="field-signOutOtherSessions">{t.security.signOutOthers}</label>
          </div>
          <button type="submit">{t.security.passwordSubmit}</button>
        </Form>
      </section>

      <section aria-labelledby="email-title" className="account-section">
        <h2 id="email-title">{t.security.emailTitle}</h2>
        <p>{t.security.emailCurrent(profile.email)}</p>
        {email?.ok ? <Notice>{t.security.emailDone}</Notice> : null}
        <FormAlert result={email} />
        <Form method="post" className="account-form">
          {csrf}
          <input type="hidden" name="intent" value="email" />
          <Field
            name="newEmail"
            type="email"
            label={t.fields.newEmail}
            autoComplete="email"
            required
            maxLength={254}
            defaultValue={email?.values['newEmail'] ?? ''}
            error={fieldError(email, 'newEmail')}
          />
          <button type="submit">{t.security.emailSubmit}</button>
        </Form>
      </section>

      <section aria-labelledby="two-step-title" className="account-section">
        <h2 id="two-step-title">{t.security.twoStepTitle}</h2>
        {totpRemove?.ok ? <Notice>{t.security.totpRemoved}</Notice> : null}
        <FormAlert result={totpRemove} />
        <p>{profile.mfa.totp ? t.security.totpOn : t.security.totpOff}</p>
        {profile.mfa.totp ? (
          profile.kind === 'customer' ? (
            <Form method="post">
              {csrf}
              <input type="hidden" name="intent" value="totp-remove" />
              <button type="submit">{t.security.totpRemove}</button>
            </Form>
          ) : null
        ) : (
          <p>
            <Link to={href(ACCOUNT_PATHS.twoFactor)}>{t.security.totpSetUp}</Link>
          </p>
        )}
        {profile.mfa.totp || profile.mfa.passkeys > 0 ? (
          <>
            <p>{t.security.recoveryLeft(profile.mfa.recoveryCodesRemaining)}</p>
            <FormAlert result={recovery} />
            {newCodes && newCodes.length > 0 ? (
              <RecoveryCodes
                codes={newCodes}
                title={t.security.recoveryNewTitle}
                text={t.twoFactor.recoveryText}
              />
            ) : null}
            <Form method="post">
              {csrf}
              <input type="hidden" name="intent" value="recovery" />
              <button type="submit">{t.security.recoveryNew}</button>
            </Form>
          </>
        ) : null}
      </section>

      <section aria-labelledby="passkeys-title" className="account-section">
        <h2 id="passkeys-title">{t.security.passkeysTitle}</h2>
        <p>{t.security.passkeysIntro}</p>
        {rename?.ok ? <Notice>{t.security.passkeyRenamed}</Notice> : null}
        {remove?.ok ? <Notice>{t.security.passkeyRemoved}</Notice> : null}
        {passkeyCodes !== undefined ? <Notice>{t.security.passkeyAddDone}</Notice> : null}
        <FormAlert result={rename ?? remove} />
        {passkeys.length === 0 ? <p>{t.security.passkeysNone}</p> : null}
        <ul className="passkey-list">
          {passkeys.map((passkey) => (
            <li key={passkey.id}>
              <p>
                <strong>{passkey.name}</strong>
                <br />
                {t.security.passkeyAdded(formatDate(passkey.createdAt, intl))},{' '}
                {passkey.lastUsedAt
                  ? t.security.passkeyUsed(formatDate(passkey.lastUsedAt, intl))
                  : t.security.passkeyNeverUsed}
                {passkey.synced ? `, ${t.security.passkeySynced}` : ''}
              </p>
              <Form method="post" className="inline-form">
                {csrf}
                <input type="hidden" name="intent" value="passkey-rename" />
                <input type="hidden" name="passkeyId" value={passkey.id} />
                <label htmlFor={`passkey-name-${passkey.id}`}>{t.security.passkeyName}</label>
                <input
                  id={`passkey-name-${passkey.id}`}
                  name="name"
                  required
                  maxLength={64}
                  defaultValue={passkey.name}
                />
                <button type="submit">{t.security.passkeyRename}</button>
              </Form>
              <Form method="post" className="inline-form">
                {csrf}
                <input type="hidden" name="intent" value="passkey-remove" />
                <input type="hidden" name="passkeyId" value={passkey.id} />
                <button type="submit" aria-label={`${t.security.passkeyRemove}: ${passkey.name}`}>
                  {t.security.passkeyRemove}
                </button>
              </Form>
            </li>
          ))}
        </ul>
        <PasskeyRegistration
          csrfToken={accountSession.csrfToken}
          onAdded={(codes) => {
            setPasskeyCodes(codes);
            void revalidator.revalidate();
          }}
          onReauthenticate={() => {
            void navigate(withReturnTo(href(ACCOUNT_PATHS.reauthenticate), here));
          }}
        />
      </section>

      <p>
        <Link to={href(ACCOUNT_PATHS.sessions)}>{t.security.sessionsLink}</Link>
      </p>
    </AccountPage>
  );
}
