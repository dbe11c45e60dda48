import { Link, useActionData, useLoaderData } from 'react-router';
import { TokenConfirmPage } from '../components/account-token';
import type { FormResult } from '../components/account-ui';
import { useLocalePath, useMessages } from '../i18n/messages';
import { accountMessages } from '../i18n/messages/account';
import { ACCOUNT_PATHS } from '../lib/account-paths';
import { AccountApi, confirmTokenAction, localeOf, sessionData } from '../lib/account.server';
import type { Route } from './+types/account-verify-email';

/** `/account/verify-email#token=…`: the link of the welcome email. */
export async function loader(args: Route.LoaderArgs) {
  localeOf(args.params);
  const api = new AccountApi(args);
  return { accountSession: sessionData(await api.session()) };
}

/** Confirms the address (`POST /api/auth/verify-email`). */
export function action(args: Route.ActionArgs) {
  return confirmTokenAction(args, '/auth/verify-email');
}

/** The email verification page. */
export default function VerifyEmail() {
  const { accountSession } = useLoaderData<typeof loader>();
  const result = useActionData<FormResult>();
  const t = useMessages(accountMessages);
  const href = useLocalePath();
  const invalid = result?.failure?.code === 'INVALID_TOKEN';
  return (
    <TokenConfirmPage
      title={t.verify.title}
      intro={invalid ? t.verify.invalid : t.verify.intro}
      working={t.verify.working}
      submit={t.verify.submit}
      done={
        <>
          {t.verify.done} <Link to={href(ACCOUNT_PATHS.signIn)}>{t.signIn}</Link>
        </>
      }
      csrfToken={accountSession.csrfToken}
      result={result}
    />
  );
}
