import { Link, useActionData, useLoaderData } from 'react-router';
import { TokenConfirmPage } from '../components/account-token';
import type { FormResult } from '../components/account-ui';
import { useLocalePath, useMessages } from '../i18n/messages';
import { accountMessages } from '../i18n/messages/account';
import { ACCOUNT_PATHS } from '../lib/account-paths';
import { AccountApi, confirmTokenAction, localeOf, sessionData } from '../lib/account.server';
import type { Route } from './+types/account-confirm-email-change';

/** `/account/confirm-email-change#token=…`: the link sent to the new address. */
export async function loader(args: Route.LoaderArgs) {
  localeOf(args.params);
  const api = new AccountApi(args);
  return { accountSession: sessionData(await api.session()) };
}

/** Confirms the new address (`POST /api/auth/confirm-email-change`). */
export function action(args: Route.ActionArgs) {
  return confirmTokenAction(args, '/auth/confirm-email-change');
}

/** The email change confirmation page. */
export default function ConfirmEmailChange() {
  const { accountSession } = useLoaderData<typeof loader>();
  const result = useActionData<FormResult>();
  const t = useMessages(accountMessages);
  const href = useLocalePath();
  return (
    <TokenConfirmPage
      title={t.confirmEmail.title}
      intro={t.confirmEmail.intro}
      working={t.confirmEmail.working}
      submit={t.confirmEmail.submit}
      done={
        <>
          {t.confirmEmail.done}{' '}
          <Link to={href(accountSession.signedIn ? ACCOUNT_PATHS.home : ACCOUNT_PATHS.signIn)}>
            {accountSession.signedIn ? t.home.title : t.signIn}
          </Link>
        </>
      }
      csrfToken={accountSession.csrfToken}
      result={result}
    />
  );
}
