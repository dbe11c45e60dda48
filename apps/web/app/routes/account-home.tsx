import { ProfileSchema } from '@storefront/contracts';
import { Form, Link, useActionData, useLoaderData } from 'react-router';
import {
  AccountPage,
  FormAlert,
  Notice,
  fieldError,
  resultFor,
  type FormResult,
} from '../components/account-ui';
import { CsrfField, Field } from '../components/form-fields';
import { LOCALES } from '../i18n/locale';
import { useLocalePath, useMessages } from '../i18n/messages';
import { accountMessages } from '../i18n/messages/account';
import { ACCOUNT_PATHS } from '../lib/account-paths';
import {
  AccountApi,
  localeOf,
  readForm,
  requireSignedIn,
  sessionData,
} from '../lib/account.server';
import type { Route } from './+types/account-home';

/** The account overview: who is signed in, the profile, and the account's sections. */
export async function loader(args: Route.LoaderArgs) {
  localeOf(args.params);
  const api = new AccountApi(args);
  const state = await requireSignedIn(args, api);
  const profile = await api.need('/account/profile', ProfileSchema);
  return { accountSession: sessionData(state), profile };
}

/** Saves the display name and the language of the account's emails (`PATCH /api/account/profile`). */
export async function action(args: Route.ActionArgs) {
  localeOf(args.params);
  const api = new AccountApi(args);
  const form = await readForm(args.request);
  const displayName = (form.text('displayName') ?? '').trim();
  // Sent as chosen: a value that is not a language is the API's to refuse (400).
  const locale = form.text('locale') ?? '';
  const result = await api.call('/account/profile', ProfileSchema, {
    method: 'PATCH',
    body: { displayName: displayName === '' ? null : displayName, ...(locale ? { locale } : {}) },
    csrfToken: form.csrf,
  });
  if (!result.ok) {
    return api.failure(result.error, result.status, { displayName, locale }, 'profile');
  }
  return api.done('profile');
}

/** The account overview page. */
export default function AccountHome() {
  const { accountSession, profile } = useLoaderData<typeof loader>();
  const result = resultFor(useActionData<FormResult>(), 'profile');
  const localeError = fieldError(result, 'locale');
  const t = useMessages(accountMessages);
  const href = useLocalePath();
  const sections: [string, string, string][] = [
    [ACCOUNT_PATHS.orders, t.nav.orders, t.home.ordersText],
    [ACCOUNT_PATHS.addresses, t.nav.addresses, t.home.addressesText],
    [ACCOUNT_PATHS.security, t.nav.security, t.home.securityText],
    [ACCOUNT_PATHS.sessions, t.nav.sessions, t.home.sessionsText],
  ];
  return (
    <AccountPage title={t.home.title} session={accountSession}>
      <p className="signed-in-as">{t.home.signedInAs(profile.email)}</p>
      <ul className="account-sections">
        {sections.map(([path, title, text]) => (
          <li key={path}>
            <Link to={href(path)}>{title}</Link>
            <span>{text}</span>
          </li>
        ))}
      </ul>
      <section aria-labelledby="profile-title">
        <h2 id="profile-title">{t.home.profile}</h2>
        {result?.ok ? <Notice>{t.home.saved}</Notice> : null}
        <FormAlert result={result} />
        <Form method="post" className="account-form">
          <CsrfField token={accountSession.csrfToken} />
          <Field
            name="displayName"
            label={t.fields.displayName}
            autoComplete="name"
            maxLength={100}
            defaultValue={result?.values['displayName'] ?? profile.displayName ?? ''}
            error={fieldError(result, 'displayName')}
          />
          <div className={localeError ? 'field invalid' : 'field'}>
            <label htmlFor="field-locale">{t.home.emailLanguage}</label>
            <p id="field-locale-hint" className="field-hint">
              {t.home.emailLanguageHint}
            </p>
            <select
              id="field-locale"
              name="locale"
              defaultValue={result?.values['locale'] ?? profile.locale}
              aria-invalid={localeError ? true : undefined}
              aria-describedby={
                localeError ? 'field-locale-hint field-locale-error' : 'field-locale-hint'
              }
            >
              {/* The shop's languages (not the contract's schema: zod in a page bundle trips Trusted Types). */}
              {LOCALES.map((code) => (
                <option key={code} value={code} lang={code}>
                  {t.home.languages[code]}
                </option>
              ))}
            </select>
            {localeError ? (
              <p id="field-locale-error" className="field-error">
                {localeError}
              </p>
            ) : null}
          </div>
          <button type="submit">{t.home.save}</button>
        </Form>
      </section>
    </AccountPage>
  );
}
