import {
  SHIPPING_COUNTRIES,
  SessionStateSchema,
  type ErrorBody,
  type SessionState,
} from '@storefront/contracts';
import {
  createContext,
  data,
  redirect,
  type Params,
  type RouterContextProvider,
} from 'react-router';
import type { z } from 'zod';
import { INTL_LOCALE, isLocale, type Locale } from '../i18n/locale';
import { accountMessages } from '../i18n/messages/account';
import { ACCOUNT_PATHS, tokenFromPaste, withReturnTo } from './account-paths';
import {
  callApi,
  formFailure,
  type ApiCallOptions,
  type ApiResult,
  type FormFailure,
} from './api-session.server';
import { pageError } from './http-status.server';
import { safeReturnTo } from './return-to';

/**
 * Server side of the customer account pages: API calls that follow the session through one
 * request, the sign-in guard, form reading and the mapping of API refusals to page outcomes.
 *
 * **One request, several session ids.** Signing in, a second factor, a step-up, a password
 * change or a first second factor give the session a new id (the API's `Set-Cookie`). Without
 * JavaScript a form post is one request: React Router runs the action and then the page's
 * loaders, which would still send the browser's *old* cookie and find the session gone. So the
 * cookie the API sets is recorded in the request's router context ({@link sessionCookieAfter})
 * and every later API call of the same request sends it instead. With JavaScript the loaders run
 * in a second request that already carries the new cookie; nothing changes then.
 */

/** The Cookie header to send after an API answer changed the session in this request. */
const sessionCookieAfter = createContext<string | null>(null);

/** What every loader and action receives (the part used here). */
export interface AccountArgs {
  request: Request;
  params: Params;
  context: Readonly<RouterContextProvider>;
}

/** The language of the page (`/:lang/…`); anything else is the 404 page. */
export function localeOf(params: Params): Locale {
  if (!isLocale(params.lang)) pageError(404);
  return params.lang;
}

/** `/{lang}{path}`. */
export function pagePath(lang: Locale, path: string): string {
  return `/${lang}${path}`;
}

/**
 * Ends a loader or action with a redirect (React Router's protocol is to throw the response),
 * never stored (it depends on the session), relaying `headers` (the API's `Set-Cookie`).
 */
export function redirectTo(url: string, headers?: Headers): never {
  const all = new Headers(headers);
  all.set('Cache-Control', 'no-store');
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- React Router's redirect protocol
  throw redirect(url, { headers: all });
}

/**
 * The current page as a return path (`pathname` + `search`, without React Router's `.data`
 * suffix and `_routes`/`index` parameters), or null when it is not one {@link safeReturnTo}
 * accepts.
 */
export function currentPage(request: Request): string | null {
  const url = new URL(request.url);
  url.searchParams.delete('_routes');
  url.searchParams.delete('index');
  const pathname = url.pathname.replace(/\.data$/, '').replace(/\/_root$/, '');
  const search = url.searchParams.toString();
  return safeReturnTo(`${pathname}${search ? `?${search}` : ''}`);
}

/**
 * A browser's Cookie header after the API's `Set-Cookie` answers: a cookie set replaces its
 * value, a cookie expired (`Max-Age=0`, an `Expires` in the past, or emptied) is removed.
 */
export function applySetCookies(cookieHeader: string, setCookies: readonly string[]): string {
  const jar = new Map<string, string>();
  for (const pair of cookieHeader.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0) jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
  for (const setCookie of setCookies) {
    const [first = '', ...attributes] = setCookie.split(';');
    const at = first.indexOf('=');
    if (at <= 0) continue;
    const name = first.slice(0, at).trim();
    const value = first.slice(at + 1).trim();
    const expired = attributes.some((attribute) => {
      const [key = '', raw = ''] = attribute.split('=').map((s) => s.trim());
      if (key.toLowerCase() === 'max-age') return Number(raw) <= 0;
      if (key.toLowerCase() === 'expires') return Date.parse(raw) <= Date.now();
      return false;
    });
    if (expired || value === '') jar.delete(name);
    else jar.set(name, value);
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

/**
 * The API, called for the visitor from one loader or action. Collects the `Set-Cookie` answers
 * in {@link headers}, which the caller must return with its data or redirect.
 */
export class AccountApi {
  /** `Set-Cookie` headers to relay to the browser. */
  readonly headers = new Headers();

  constructor(private readonly args: AccountArgs) {}

  /** `callApi` with the session cookie as it stands now in this request. */
  async call<T extends z.ZodType>(
    path: string,
    schema: T | null,
    options: ApiCallOptions = {},
  ): Promise<ApiResult<z.output<T> | null>> {
    const result = await callApi(this.requestNow(), path, schema, options);
    const setCookies = result.headers.getSetCookie();
    if (setCookies.length > 0) {
      const now =
        this.args.context.get(sessionCookieAfter) ?? this.args.request.headers.get('cookie') ?? '';
      this.args.context.set(sessionCookieAfter, applySetCookies(now, setCookies));
      for (const cookie of setCookies) this.headers.append('set-cookie', cookie);
    }
    return result;
  }

  /** {@link call} for a body the page needs: an API error is a 502 page. */
  async need<T extends z.ZodType>(
    path: string,
    schema: T,
    options: ApiCallOptions = {},
  ): Promise<z.output<T>> {
    const result = await this.call(path, schema, options);
    if (!result.ok) {
      if (result.status === 404) pageError(404);
      this.refuse(result.error);
      pageError(502);
    }
    return result.data as z.output<T>;
  }

  /** Where the visitor's session stands now (`GET /api/auth/session`), with its CSRF token. */
  async session(): Promise<SessionState> {
    return this.need('/auth/session', SessionStateSchema);
  }

  /**
   * Redirects when an API refusal means the visitor is elsewhere in the sign-in flow: not
   * signed in (to the sign-in page, coming back here), a second factor due, a second factor to
   * set up first, or a step-up needed (to the confirmation page, coming back here). Returns for
   * every other error, which the page shows.
   */
  refuse(error: ErrorBody['error']): void {
    const lang = localeOf(this.args.params);
    const here = currentPage(this.args.request);
    const to = (path: string) => redirectTo(withReturnTo(pagePath(lang, path), here), this.headers);
    switch (error.code) {
      case 'UNAUTHENTICATED':
        to(ACCOUNT_PATHS.signIn);
        break;
      case 'MFA_REQUIRED':
        to(ACCOUNT_PATHS.secondFactor);
        break;
      case 'MFA_ENROLMENT_REQUIRED':
        to(ACCOUNT_PATHS.twoFactor);
        break;
      case 'REAUTHENTICATION_REQUIRED':
        to(ACCOUNT_PATHS.reauthenticate);
        break;
      default:
    }
  }

  /**
   * The page's answer to a refused form: redirects as {@link refuse} does, otherwise the API's
   * status with the failure (code and field issues) for the form to show, and the form's values
   * to fill it again (never passwords: callers leave them out).
   */
  failure(
    error: ErrorBody['error'],
    status: number,
    values: Record<string, string> = {},
    form?: string,
  ) {
    this.refuse(error);
    return this.refused(formFailure(error, localeOf(this.args.params)), status, values, form);
  }

  /** A refusal the page decided itself (no API call), as {@link failure} answers it. */
  refused(
    failure: FormFailure,
    status: number,
    values: Record<string, string> = {},
    form?: string,
  ) {
    return data<ActionResult>(
      { ok: false, form: form ?? null, failure, values },
      { status, headers: this.headers },
    );
  }

  /** A successful form answer (no redirect), with what the page should show. */
  done(form: string | null, extra: Partial<Omit<ActionResult, 'ok' | 'failure'>> = {}) {
    return data<ActionResult>(
      { ok: true, form, failure: null, values: {}, ...extra },
      { headers: this.headers },
    );
  }

  private requestNow(): Request {
    const cookie = this.args.context.get(sessionCookieAfter);
    if (cookie === null) return this.args.request;
    const headers = new Headers(this.args.request.headers);
    if (cookie === '') headers.delete('cookie');
    else headers.set('cookie', cookie);
    return new Request(this.args.request.url, { headers });
  }
}

/** What an account form action answers when it does not redirect. */
export interface ActionResult {
  ok: boolean;
  /** Which form of the page answered (pages with several forms). */
  form: string | null;
  failure: FormFailure | null;
  /** Values to put back into the form after a refusal (never a password). */
  values: Record<string, string>;
  /** Anything else the page shows once (recovery codes, a count…). */
  payload?: unknown;
}

/** Options of {@link requireSignedIn}. */
export interface RequireOptions {
  /** Also let through a staff member whose second factor must be set up first. */
  allowEnrolment?: boolean;
}

/**
 * The sign-in guard of personal pages: returns the session when it is fully signed in,
 * otherwise redirects to the step still due (second factor, set-up of one) or to the sign-in page
 * with `returnTo` set to this page.
 */
export async function requireSignedIn(
  args: AccountArgs,
  api: AccountApi,
  options: RequireOptions = {},
): Promise<SessionState> {
  const state = await api.session();
  if (state.authenticated) return state;
  if (options.allowEnrolment && state.status === 'mfa-enrolment-required') return state;
  api.refuse({
    code:
      state.status === 'mfa-required'
        ? 'MFA_REQUIRED'
        : state.status === 'mfa-enrolment-required'
          ? 'MFA_ENROLMENT_REQUIRED'
          : 'UNAUTHENTICATED',
    message: '',
    requestId: '',
  });
  return pageError(502);
}

/** Largest form body an account page accepts (a passkey answer is a few kilobytes). */
const FORM_LIMIT_BYTES = 64 * 1024;

/** A submitted form, urlencoded (plain HTML forms) or JSON (passkey ceremonies, via fetchers). */
export interface SubmittedForm {
  /** A text field (trimmed of nothing: passwords are compared as typed), or null. */
  text(name: string): string | null;
  /** A checkbox: present and not "false". */
  checked(name: string): boolean;
  /** A JSON value (JSON submissions only), or undefined. */
  value(name: string): unknown;
  /** The session's CSRF token the form carried (hidden `_csrf` field). */
  csrf: string | null;
}

/**
 * Reads the body of an account form: at most {@link FORM_LIMIT_BYTES} (413 above), urlencoded or
 * JSON (415 otherwise).
 */
export async function readForm(request: Request): Promise<SubmittedForm> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  const body = await readLimited(request);
  let get: (name: string) => unknown;
  if (type === 'application/x-www-form-urlencoded') {
    const fields = new URLSearchParams(body);
    get = (name) => fields.get(name);
  } else if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return badBody(400);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return badBody(400);
    const record = parsed as Record<string, unknown>;
    get = (name) => (Object.hasOwn(record, name) ? record[name] : undefined);
  } else {
    return badBody(415);
  }
  const text = (name: string) => {
    const value = get(name);
    return typeof value === 'string' ? value : null;
  };
  const csrf = text('_csrf');
  return {
    text,
    checked: (name) => {
      const value = get(name);
      return value === true || (typeof value === 'string' && value !== '' && value !== 'false');
    },
    value: get,
    csrf: csrf !== null && csrf.length <= 128 ? csrf : null,
  };
}

async function readLimited(request: Request): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > FORM_LIMIT_BYTES) return badBody(413);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > FORM_LIMIT_BYTES) {
      await reader.cancel();
      return badBody(413);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function badBody(status: 400 | 413 | 415): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- React Router's error-response protocol
  throw data(null, { status });
}

/** The session facts an account page's loader returns (header and forms read them). */
export function sessionData(state: SessionState): { signedIn: boolean; csrfToken: string | null } {
  return { signedIn: state.authenticated, csrfToken: state.csrfToken };
}

/**
 * The action of a page that confirms an emailed token (`POST /api/auth/verify-email`,
 * `/confirm-email-change`): the token comes from the fragment (posted by the page's script) or
 * from the link the visitor pasted.
 */
export async function confirmTokenAction(args: AccountArgs, apiPath: string) {
  const lang = localeOf(args.params);
  const api = new AccountApi(args);
  const form = await readForm(args.request);
  const token = tokenFromPaste(form.text('token'));
  if (token === null) {
    return api.refused(invalidTokenField(lang), 400);
  }
  const result = await api.call(apiPath, null, {
    method: 'POST',
    body: { token },
    csrfToken: form.csrf,
  });
  if (!result.ok) return api.failure(result.error, result.status);
  return api.done(null);
}

/** The refusal of a pasted text that holds no emailed token. */
export function invalidTokenField(lang: Locale): FormFailure {
  return {
    code: 'VALIDATION_FAILED',
    fields: { token: accountMessages[lang].fields.tokenInvalid },
  };
}

/**
 * The action of a page that sets a password with an emailed token (`POST
 * /api/auth/password-reset/complete`, `/staff-invite/complete`); on success, the sign-in page
 * with `notice` (the API ended every session).
 */
export async function newPasswordAction(args: AccountArgs, apiPath: string, notice: string) {
  const lang = localeOf(args.params);
  const api = new AccountApi(args);
  const form = await readForm(args.request);
  const token = tokenFromPaste(form.text('token'));
  if (token === null) return api.refused(invalidTokenField(lang), 400);
  const result = await api.call(apiPath, null, {
    method: 'POST',
    body: { token, password: form.text('password') ?? '' },
    csrfToken: form.csrf,
  });
  if (!result.ok) return api.failure(result.error, result.status);
  return redirectTo(`${pagePath(lang, ACCOUNT_PATHS.signIn)}?${notice}=1`, api.headers);
}

/** The address a form posted, as the API's `AddressInput` (empty optional fields are null). */
export function addressFromForm(form: SubmittedForm): {
  body: Record<string, unknown>;
  values: Record<string, string>;
} {
  const names = ['fullName', 'line1', 'line2', 'postalCode', 'city', 'country', 'phone'] as const;
  const values: Record<string, string> = {};
  for (const name of names) values[name] = form.text(name) ?? '';
  const optional = (v: string | undefined) => (v && v.trim() !== '' ? v : null);
  values['isDefault'] = String(form.checked('isDefault'));
  return {
    values,
    body: {
      fullName: values['fullName'],
      line1: values['line1'],
      line2: optional(values['line2']),
      postalCode: values['postalCode'],
      city: values['city'],
      country: values['country'],
      phone: optional(values['phone']),
      isDefault: form.checked('isDefault'),
    },
  };
}

/** The shipping countries by name in the page's language, sorted by name (see `CountryNames`). */
export function countryNames(lang: Locale): { code: string; name: string }[] {
  const intl = INTL_LOCALE[lang];
  const names = new Intl.DisplayNames([intl], { type: 'region' });
  return SHIPPING_COUNTRIES.map((code) => ({ code, name: names.of(code) ?? code })).sort((a, b) =>
    a.name.localeCompare(b.name, intl),
  );
}
