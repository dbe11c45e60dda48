import { useEffect, useState } from 'react';
import { Link, useMatches } from 'react-router';
import { useLocalePath, useMessages } from '../i18n/messages';
import { accountLinkMessages } from '../i18n/messages/account-link';
import { ACCOUNT_PATHS } from '../lib/account-paths';
import type { AccountSessionData } from './account-ui';

/**
 * Whether the visitor is signed in, as last learnt from `GET /api/auth/session` on a page outside
 * the account. Module state: reset by every document load (signing in and out both end in one).
 */
let lastKnown: boolean | null = null;

/** The account page data of the current page, if it is one (their loaders know the session). */
function useAccountPageSession(): AccountSessionData | undefined {
  for (const match of useMatches()) {
    const data = match.loaderData as { accountSession?: AccountSessionData } | undefined;
    if (data?.accountSession) return data.accountSession;
  }
  return undefined;
}

/**
 * The header's account link: "Account" when signed in, "Sign in" otherwise.
 *
 * Public pages (catalogue) are rendered without asking the API who the visitor is, so they stay
 * cheap and identical for everyone: the server renders a neutral "Account" link (it leads to the
 * sign-in page when needed). Account pages know the session from their own loader and render the
 * right link at once. Elsewhere, after hydration, one `GET /api/auth/session` (same origin, a Redis
 * read) per document load — or after leaving the account pages, where signing in and out happen —
 * switches the link to "Sign in" when the visitor is not signed in.
 */
export function AccountHeaderLink() {
  const t = useMessages(accountLinkMessages);
  const href = useLocalePath();
  const fromPage = useAccountPageSession();
  const [fetched, setFetched] = useState<boolean | null>(lastKnown);
  const onAccountPage = fromPage !== undefined;
  useEffect(() => {
    if (onAccountPage) {
      // The account pages may sign in or out: ask again after leaving them.
      lastKnown = null;
      return;
    }
    if (lastKnown !== null) {
      setFetched(lastKnown);
      return;
    }
    const controller = new AbortController();
    fetch('/api/auth/session', {
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
      signal: controller.signal,
    })
      .then((response) => (response.ok ? response.json() : null))
      .then((body: unknown) => {
        const authenticated = (body as { authenticated?: unknown } | null)?.authenticated;
        if (typeof authenticated === 'boolean') {
          lastKnown = authenticated;
          setFetched(authenticated);
        }
      })
      .catch(() => {
        // Offline or aborted: the neutral link stays.
      });
    return () => {
      controller.abort();
    };
  }, [onAccountPage]);
  const signedIn = fromPage ? fromPage.signedIn : fetched;
  return signedIn === false ? (
    <Link to={href(ACCOUNT_PATHS.signIn)}>{t.signIn}</Link>
  ) : (
    <Link to={href(ACCOUNT_PATHS.home)}>{t.account}</Link>
  );
}
