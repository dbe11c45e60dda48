import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Form, useFetcher } from 'react-router';
import { useMessages } from '../i18n/messages';
import { accountMessages } from '../i18n/messages/account';
import { tokenFromHash } from '../lib/account-paths';
import { AccountPage, FormAlert, Notice, fieldError, type FormResult } from './account-ui';
import { CsrfField, Field } from './form-fields';

/**
 * Emailed links carry their single-use token in the URL fragment (`#token=…`), which browsers
 * never send to a server: it stays out of access logs, proxies and `Referer`. This hook reads it
 * once after hydration, removes it from the address bar (and so from the history), and hands it to
 * the page. Without JavaScript the pages show a field where the visitor pastes the link instead.
 */
export function useFragmentToken(): string | null {
  const [token, setToken] = useState<string | null>(null);
  useEffect(() => {
    const found = tokenFromHash(window.location.hash);
    if (found === null) return;
    window.history.replaceState(
      window.history.state,
      '',
      `${window.location.pathname}${window.location.search}`,
    );
    setToken(found);
  }, []);
  return token;
}

/**
 * A page that only confirms an emailed token (email verification, email change): with
 * JavaScript it posts the fragment's token to its own action as soon as it is read; without, the
 * visitor pastes the link into the form.
 */
export function TokenConfirmPage({
  title,
  intro,
  working,
  submit,
  done,
  csrfToken,
  result,
}: {
  title: string;
  intro: string;
  working: string;
  submit: string;
  done: ReactNode;
  csrfToken: string | null;
  result: FormResult | undefined;
}) {
  const t = useMessages(accountMessages);
  const token = useFragmentToken();
  // A fetcher, not a navigation: the page's address (whose fragment was just removed) stays as it is.
  const fetcher = useFetcher<FormResult>();
  const sent = useRef(false);
  const submitToken = fetcher.submit;
  useEffect(() => {
    if (token === null || sent.current) return;
    sent.current = true;
    const form = new FormData();
    form.set('token', token);
    if (csrfToken) form.set('_csrf', csrfToken);
    void submitToken(form, { method: 'post' });
  }, [token, csrfToken, submitToken]);
  // The pasted link's answer (a navigation) if there is one, else the fragment's (the fetcher).
  const shown = result ?? fetcher.data;

  if (shown?.ok) {
    return (
      <AccountPage title={title}>
        <Notice>{done}</Notice>
      </AccountPage>
    );
  }
  const busy = token !== null && (fetcher.data === undefined || fetcher.state !== 'idle');
  return (
    <AccountPage title={title}>
      {busy ? (
        <p role="status">{working}</p>
      ) : (
        <>
          <FormAlert result={shown} />
          <p>{intro}</p>
          <Form method="post" className="account-form">
            <CsrfField token={csrfToken} />
            <Field
              name="token"
              label={t.fields.token}
              hint={t.fields.tokenHint}
              autoComplete="off"
              required
              maxLength={2048}
              error={fieldError(shown, 'token')}
            />
            <button type="submit" className="primary">
              {submit}
            </button>
          </Form>
        </>
      )}
    </AccountPage>
  );
}
