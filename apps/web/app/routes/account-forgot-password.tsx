import { AcceptedResponseSchema } from '@storefront/contracts';
import { Form, useActionData, useLoaderData } from 'react-router';
import {
  AccountPage,
  FormAlert,
  Notice,
  fieldError,
  type FormResult,
} from '../components/account-ui';
import { CsrfField, Field } from '../components/form-fields';
import { useMessages } from '../i18n/messages';
import { accountMessages } from '../i18n/messages/account';
import { AccountApi, localeOf, readForm, sessionData } from '../lib/account.server';
import type { Route } from './+types/account-forgot-password';

/** Asks for the address to send a password-reset link to. */
export async function loader(args: Route.LoaderArgs) {
  localeOf(args.params);
  const api = new AccountApi(args);
  return { accountSession: sessionData(await api.session()) };
}

/**
 * `POST /api/auth/password-reset`: the API answers the same whether or not the address has an
 * account, and so does the page.
 */
export async function action(args: Route.ActionArgs) {
  localeOf(args.params);
  const api = new AccountApi(args);
  const form = await readForm(args.request);
  const email = form.text('email') ?? '';
  const result = await api.call('/auth/password-reset', AcceptedResponseSchema, {
    method: 'POST',
    body: { email },
    csrfToken: form.csrf,
  });
  if (!result.ok) return api.failure(result.error, result.status, { email });
  return api.done(null);
}

/** The forgotten-password page. */
export default function ForgotPassword() {
  const { accountSession } = useLoaderData<typeof loader>();
  const result = useActionData<FormResult>();
  const t = useMessages(accountMessages);
  return (
    <AccountPage title={t.forgot.title}>
      {result?.ok ? (
        <Notice>{t.forgot.sent}</Notice>
      ) : (
        <>
          <p>{t.forgot.intro}</p>
          <FormAlert result={result} />
          <Form method="post" className="account-form">
            <CsrfField token={accountSession.csrfToken} />
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
            <button type="submit" className="primary">
              {t.forgot.submit}
            </button>
          </Form>
        </>
      )}
    </AccountPage>
  );
}
