import { useActionData, useLoaderData } from 'react-router';
import { NewPasswordPage } from '../components/account-new-password';
import type { FormResult } from '../components/account-ui';
import { useMessages } from '../i18n/messages';
import { accountMessages } from '../i18n/messages/account';
import { AccountApi, localeOf, newPasswordAction, sessionData } from '../lib/account.server';
import type { Route } from './+types/account-reset-password';

/** `/account/reset-password#token=…`: the link of the password-reset email. */
export async function loader(args: Route.LoaderArgs) {
  localeOf(args.params);
  const api = new AccountApi(args);
  return { accountSession: sessionData(await api.session()) };
}

/** Sets the new password (`POST /api/auth/password-reset/complete`; every session ends). */
export function action(args: Route.ActionArgs) {
  return newPasswordAction(args, '/auth/password-reset/complete', 'passwordReset');
}

/** The password reset page. */
export default function ResetPassword() {
  const { accountSession } = useLoaderData<typeof loader>();
  const result = useActionData<FormResult>();
  const t = useMessages(accountMessages);
  return (
    <NewPasswordPage
      title={t.reset.title}
      intro={t.reset.intro}
      submit={t.reset.submit}
      passwordHint={t.fields.passwordHint}
      minLength={12}
      csrfToken={accountSession.csrfToken}
      result={result}
    />
  );
}
