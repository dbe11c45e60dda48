import { useActionData, useLoaderData } from 'react-router';
import { NewPasswordPage } from '../components/account-new-password';
import type { FormResult } from '../components/account-ui';
import { useMessages } from '../i18n/messages';
import { accountMessages } from '../i18n/messages/account';
import { AccountApi, localeOf, newPasswordAction, sessionData } from '../lib/account.server';
import type { Route } from './+types/admin-accept-invitation';

/**
 * `/admin/accept-invitation#token=…`: a staff member chooses a password (≥ 15 characters); the
 * first sign-in then makes them set up a second factor. Minimal until the back office exists.
 */
export async function loader(args: Route.LoaderArgs) {
  localeOf(args.params);
  const api = new AccountApi(args);
  return { accountSession: sessionData(await api.session()) };
}

/** Sets the password (`POST /api/auth/staff-invite/complete`), then the sign-in page. */
export function action(args: Route.ActionArgs) {
  return newPasswordAction(args, '/auth/staff-invite/complete', 'invited');
}

/** The staff invitation page. */
export default function AcceptInvitation() {
  const { accountSession } = useLoaderData<typeof loader>();
  const result = useActionData<FormResult>();
  const t = useMessages(accountMessages);
  return (
    <NewPasswordPage
      title={t.invitation.title}
      intro={t.invitation.intro}
      submit={t.invitation.submit}
      passwordHint={t.fields.staffPasswordHint}
      minLength={15}
      csrfToken={accountSession.csrfToken}
      result={result}
    />
  );
}
