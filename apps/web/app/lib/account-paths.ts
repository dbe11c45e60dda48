/**
 * The customer account's pages, as paths inside a language (`href(ACCOUNT_PATHS.signIn)` →
 * `/en/account/sign-in`), and the parsing of the single-use tokens emailed links carry in their
 * fragment. Client-safe: no server code.
 */
export const ACCOUNT_PATHS = {
  home: '/account',
  register: '/account/register',
  verifyEmail: '/account/verify-email',
  signIn: '/account/sign-in',
  secondFactor: '/account/sign-in/second-factor',
  twoFactor: '/account/two-factor',
  forgotPassword: '/account/forgot-password',
  resetPassword: '/account/reset-password',
  confirmEmailChange: '/account/confirm-email-change',
  security: '/account/security',
  reauthenticate: '/account/reauthenticate',
  sessions: '/account/sessions',
  addresses: '/account/addresses',
  orders: '/account/orders',
  signOut: '/account/sign-out',
  acceptInvitation: '/admin/accept-invitation',
} as const;

/** `path` with `?returnTo=` when there is one (already validated by the caller). */
export function withReturnTo(path: string, returnTo: string | null | undefined): string {
  return returnTo ? `${path}?returnTo=${encodeURIComponent(returnTo)}` : path;
}

/** The shape of an emailed token (base64url of ≥ 32 random bytes), as the API's contract says. */
const TOKEN = /^[A-Za-z0-9_-]{43,128}$/;

/**
 * The token in a URL fragment (`#token=…`, as `location.hash` gives it), or null. Emailed links
 * carry their token in the fragment, which browsers never send to any server.
 */
export function tokenFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get('token');
  return token !== null && TOKEN.test(token) ? token : null;
}

/**
 * The token of what a visitor pasted: the whole emailed link, or only the token. Used by the
 * forms that work without JavaScript (the page cannot read the fragment then).
 */
export function tokenFromPaste(text: string | null): string | null {
  if (text === null) return null;
  const value = text.trim();
  if (TOKEN.test(value)) return value;
  const hash = value.indexOf('#');
  return hash >= 0 ? tokenFromHash(value.slice(hash)) : null;
}
