import { AcceptedResponseSchema } from '@storefront/contracts';
import { Form, Link, useActionData, useLoaderData } from 'react-router';
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
import { ACCOUNT_PATHS } from '../lib/account-paths';
import {
  AccountApi,
  localeOf,
  pagePath,
  readForm,
  redirectTo,
  sessionData,
} from '../lib/account.server';
import type { Route } from './+types/account-register';

/** Registration form, or the "check your inbox" page after it (`?sent=1`). */
export async function loader(args: Route.LoaderArgs) {
  const lang = localeOf(args.params);
  const api = new AccountApi(args);
  const state = await api.session();
  if (state.authenticated) redirectTo(pagePath(lang, ACCOUNT_PATHS.home), api.headers);
  const sent = new URL(args.request.url).searchParams.get('sent') === '1';
  return { accountSession: sessionData(state), sent };
}

/**
 * Creates the account (`POST /api/auth/register`, in the page's language so the emails are too).
 * The API answers the same whether or not the address already had an account (no enumeration),
 * so the page does too: it always goes on to "check your inbox".
 */
export async function action(args: Route.ActionArgs) {
  const lang = localeOf(args.params);
  const api = new AccountApi(args);
  const form = await readForm(args.request);
  const email = form.text('email') ?? '';
  const displayName = (form.text('displayName') ?? '').trim();
  const result = await api.call('/auth/register', AcceptedResponseSchema, {
    method: 'POST',
    body: {
      email,
      password: form.text('password') ?? '',
      ...(displayName ? { displayName } : {}),
      locale: lang,
    },
    csrfToken: form.csrf,
  });
  if (!result.ok) return api.failure(result.error, result.status, { email, displayName });
  return redirectTo(`${pagePath(lang, ACCOUNT_PATHS.register)}?sent=1`, api.headers);
}

/** The registration page. */
export default function Register() {
  const { accountSession, sent } = useLoaderData<typeof loader>();
  const result = useActionData<FormResult>();
  const t = useMessages(accountMessages);
  const href = useLocalePath();
  if (sent) {
    return (
      <AccountPage title={t.register.sentTitle}>
        <Notice>{t.register.sentText}</Notice>
        <p>{t.register.sentSpam}</p>
        <p>
          <Link to={href(ACCOUNT_PATHS.signIn)}>{t.signInPage.title}</Link>
        </p>
      </AccountPage>
    );
  }
  return (
    <AccountPage title={t.register.title}>
      <p>
        {t.register.haveAccount} <Link to={href(ACCOUNT_PATHS.signIn)}>{t.signIn}</Link>
      </p>
      <FormAlert result={result} />
      <Form method="post" className="account-form">
        <CsrfField token={accountSession.csrfToken} />
        <Field
          name="displayName"
          label={t.fields.displayNameOptional}
          autoComplete="name"
          maxLength={100}
          defaultValue={result?.values['displayName'] ?? ''}
          error={fieldError(result, 'displayName')}
        />
        <Field
          name="email"
          type="email"
          label={t.fields.email}
          autoComplete="email"
          required
          maxLength={254}
          defaultValue={result?.values['email'] ?? ''}
          error={fieldError(result, 'email')}
        />
        <Field
          name="password"
          type="password"
          label={t.fields.password}
          hint={t.fields.passwordHint}
          autoComplete="new-password"
          required
          minLength={12}
          maxLength={256}
          error={fieldError(result, 'password')}
        />
        <button type="submit" className="primary">
          {t.register.submit}
        </button>
      </Form>
    </AccountPage>
  );
}
