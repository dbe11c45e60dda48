import { RevokedSchema, SessionHandleParamsSchema, SessionListSchema } from '@storefront/contracts';
import { Form, useActionData, useLoaderData } from 'react-router';
import {
  AccountPage,
  FormAlert,
  Notice,
  resultFor,
  type FormResult,
} from '../components/account-ui';
import { CsrfField } from '../components/form-fields';
import { useIntlLocale, useMessages } from '../i18n/messages';
import { accountMessages } from '../i18n/messages/account';
import { formatDate } from '../lib/account-format';
import {
  AccountApi,
  localeOf,
  readForm,
  requireSignedIn,
  sessionData,
} from '../lib/account.server';
import type { Route } from './+types/account-sessions';

/** Where the account is signed in (`GET /api/account/sessions`, this one first). */
export async function loader(args: Route.LoaderArgs) {
  localeOf(args.params);
  const api = new AccountApi(args);
  const state = await requireSignedIn(args, api);
  const { sessions } = await api.need('/account/sessions', SessionListSchema);
  return { accountSession: sessionData(state), sessions };
}

/** Ends one other session (by its handle, never its secret id), or all the others. */
export async function action(args: Route.ActionArgs) {
  localeOf(args.params);
  const api = new AccountApi(args);
  const form = await readForm(args.request);
  if (form.text('intent') === 'revoke-others') {
    const result = await api.call('/account/sessions', RevokedSchema, {
      method: 'DELETE',
      csrfToken: form.csrf,
    });
    if (!result.ok) return api.failure(result.error, result.status, {}, 'revoke-others');
    return api.done('revoke-others', { payload: { revoked: result.data?.revoked ?? 0 } });
  }
  const handle = SessionHandleParamsSchema.shape.id.safeParse(form.text('session'));
  if (!handle.success) {
    return api.failure({ code: 'NOT_FOUND', message: '', requestId: '' }, 404, {}, 'revoke');
  }
  const result = await api.call(`/account/sessions/${handle.data}`, null, {
    method: 'DELETE',
    csrfToken: form.csrf,
  });
  if (!result.ok) return api.failure(result.error, result.status, {}, 'revoke');
  return api.done('revoke');
}

/** The devices page. */
export default function Sessions() {
  const { accountSession, sessions } = useLoaderData<typeof loader>();
  const actionResult = useActionData<FormResult>();
  const t = useMessages(accountMessages);
  const intl = useIntlLocale();
  const revoke = resultFor(actionResult, 'revoke');
  const others = resultFor(actionResult, 'revoke-others');
  const revokedCount = (others?.payload as { revoked?: number } | undefined)?.revoked ?? 0;
  return (
    <AccountPage title={t.sessions.title} session={accountSession}>
      <p>{t.sessions.intro}</p>
      {revoke?.ok ? <Notice>{t.sessions.revoked}</Notice> : null}
      {others?.ok ? <Notice>{t.sessions.revokedOthers(revokedCount)}</Notice> : null}
      <FormAlert result={revoke ?? others} />
      <ul className="session-list">
        {sessions.map((session) => (
          <li key={session.id} className={session.current ? 'current' : undefined}>
            <p>
              <strong>{session.client}</strong>
              {session.current ? <span className="badge">{t.sessions.current}</span> : null}
              <br />
              {t.sessions.signedIn(formatDate(session.createdAt, intl, true))},{' '}
              {t.sessions.lastSeen(formatDate(session.lastSeenAt, intl, true))}
            </p>
            {session.current ? null : (
              <Form method="post" className="inline-form">
                <CsrfField token={accountSession.csrfToken} />
                <input type="hidden" name="intent" value="revoke" />
                <input type="hidden" name="session" value={session.id} />
                <button type="submit" aria-label={`${t.sessions.revoke}: ${session.client}`}>
                  {t.sessions.revoke}
                </button>
              </Form>
            )}
          </li>
        ))}
      </ul>
      {sessions.some((s) => !s.current) ? (
        <Form method="post">
          <CsrfField token={accountSession.csrfToken} />
          <input type="hidden" name="intent" value="revoke-others" />
          <button type="submit">{t.sessions.revokeOthers}</button>
        </Form>
      ) : null}
    </AccountPage>
  );
}
