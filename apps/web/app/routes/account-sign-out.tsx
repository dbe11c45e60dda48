import { useActionData, useLoaderData } from 'react-router';
import { AccountPage, FormAlert, SignOutForm, type FormResult } from '../components/account-ui';
import { useMessages } from '../i18n/messages';
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
import type { Route } from './+types/account-sign-out';

/** `GET`: asks for confirmation (signing out is a POST, never a link a third party could embed). */
export async function loader(args: Route.LoaderArgs) {
  const lang = localeOf(args.params);
  const api = new AccountApi(args);
  const state = await api.session();
  if (state.status === null) redirectTo(pagePath(lang, ACCOUNT_PATHS.signIn), api.headers);
  return { accountSession: sessionData(state) };
}

/**
 * Ends the session on the server (`POST /api/auth/logout`, with the CSRF token) and relays the
 * API's expired cookie; then the sign-in page, as a whole new document (the forms that post here
 * reload the document), so no signed-in state survives in the browser.
 */
export async function action(args: Route.ActionArgs) {
  const lang = localeOf(args.params);
  const api = new AccountApi(args);
  const form = await readForm(args.request);
  const result = await api.call('/auth/logout', null, { method: 'POST', csrfToken: form.csrf });
  if (!result.ok) return api.failure(result.error, result.status);
  return redirectTo(`${pagePath(lang, ACCOUNT_PATHS.signIn)}?signedOut=1`, api.headers);
}

/** The sign-out confirmation page. */
export default function SignOut() {
  const { accountSession } = useLoaderData<typeof loader>();
  const result = useActionData<FormResult>();
  const t = useMessages(accountMessages);
  return (
    <AccountPage title={t.signOut.title}>
      <FormAlert result={result} />
      <p>{t.signOut.text}</p>
      <SignOutForm csrfToken={accountSession.csrfToken} label={t.signOut.submit} />
    </AccountPage>
  );
}
