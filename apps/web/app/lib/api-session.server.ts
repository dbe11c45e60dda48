import {
  ErrorBodySchema,
  SessionStateSchema,
  type ErrorBody,
  type SessionState,
} from '@storefront/contracts';
import type { z } from 'zod';
import { DEFAULT_LOCALE, isLocale, type Locale } from '../i18n/locale';
import { fieldMessages } from '../i18n/messages/fields';
import { apiBaseUrl } from './catalogue-api.server';
import { pageError } from './http-status.server';

/**
 * Server-side calls to the API *on behalf of the visitor* (cart, checkout, account pages): the
 * web server is a pass-through, never a second authority.
 *
 * - The visitor's session cookie goes to the API and the API's `Set-Cookie` comes back to the
 *   visitor unchanged (`__Host-` cookie, rotated at login by the API): the web server keeps no
 *   state of its own.
 * - The browser's `Origin` (as verified by server.mjs, which has already refused cross-site posts)
 *   and `Sec-Fetch-Site` are forwarded, so the API's CSRF checks judge the real browser request, and
 *   state-changing calls carry the session's CSRF token from the form (`x-csrf-token`).
 * - `X-Forwarded-For` is forwarded unchanged: the API counts the same trusted proxy hops as on
 *   the browser's direct `/api/*` path (the web task is reachable only from the load balancer),
 *   so throttling and audit see the visitor's address, not the web server's.
 * - Bodies are parsed with the zod contract; an error keeps the API's stable body so forms can
 *   show its field issues.
 */

/** Time limit of one API call. */
const API_TIMEOUT_MS = 10_000;

/** Request headers passed from the visitor to the API. */
const FORWARDED = [
  'cookie',
  'sec-fetch-site',
  'x-forwarded-for',
  'user-agent',
  'accept-language',
] as const;

/** What an API call ended with: the parsed body, or the API's error, plus headers to relay. */
export type ApiResult<T> =
  | { ok: true; status: number; data: T; headers: Headers }
  | { ok: false; status: number; error: ErrorBody['error']; headers: Headers };

export interface ApiCallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A JSON body (state-changing calls). */
  body?: unknown;
  /** The session's CSRF token, from the submitted form (state-changing calls with a session). */
  csrfToken?: string | null;
}

/**
 * Calls `/api{path}` for the visitor of `request`. Network failures and malformed answers end the
 * page with a 502 (no API detail shown); API errors are returned for the caller to show.
 */
export async function callApi<T extends z.ZodType>(
  request: Request,
  path: string,
  schema: T | null,
  options: ApiCallOptions = {},
): Promise<ApiResult<z.output<T> | null>> {
  const headers = new Headers({ accept: 'application/json' });
  for (const name of FORWARDED) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  // The origin server.mjs verified and moved aside (React Router would compare it with the
  // load balancer's http:// URL); under `react-router dev` the browser's own header.
  const origin = request.headers.get('x-storefront-origin') ?? request.headers.get('origin');
  if (origin !== null) headers.set('origin', origin);
  if (options.body !== undefined) headers.set('content-type', 'application/json');
  if (options.csrfToken) headers.set('x-csrf-token', options.csrfToken);
  let response: Response;
  try {
    response = await fetch(`${apiBaseUrl()}/api${path}`, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      redirect: 'manual',
      signal: AbortSignal.timeout(API_TIMEOUT_MS),
    });
  } catch {
    pageError(502);
  }
  // Only the session cookie comes back to the visitor: no other API header is relayed.
  const relay = new Headers();
  for (const cookie of response.headers.getSetCookie()) relay.append('set-cookie', cookie);
  const text = await response.text();
  const json = parseJson(text);
  if (response.ok) {
    if (schema === null) return { ok: true, status: response.status, data: null, headers: relay };
    const parsed = schema.safeParse(json);
    if (!parsed.success) pageError(502);
    return { ok: true, status: response.status, data: parsed.data, headers: relay };
  }
  const error = ErrorBodySchema.safeParse(json);
  if (!error.success) pageError(502);
  return { ok: false, status: response.status, error: error.data.error, headers: relay };
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Where the visitor's session stands (`GET /api/auth/session`), with its CSRF token. */
export async function sessionState(
  request: Request,
): Promise<{ state: SessionState; headers: Headers }> {
  const result = await callApi(request, '/auth/session', SessionStateSchema);
  if (!result.ok || result.data === null) pageError(502);
  return { state: result.data, headers: result.headers };
}

/** The CSRF token a form posted (the hidden `_csrf` field of {@link CsrfField}). */
export function csrfTokenOf(form: FormData): string | null {
  const value = form.get('_csrf');
  return typeof value === 'string' && value.length <= 128 ? value : null;
}

/**
 * What a form action returns when the API refused the submission: the field issues by field
 * path (shown next to each field) and the API's code (mapped to a localised message by the page).
 */
export interface FormFailure {
  code: ErrorBody['error']['code'];
  fields: Record<string, string>;
}

/**
 * The {@link FormFailure} of an API error, each field's text in the page's language from the
 * issue's rule (the API's own message is English only).
 */
export function formFailure(error: ErrorBody['error'], lang: Locale): FormFailure {
  const texts = fieldMessages[lang];
  const fields: Record<string, string> = {};
  for (const issue of error.issues ?? []) {
    fields[issue.path] ??= texts[issue.rule](issue.limit);
  }
  return { code: error.code, fields };
}

/** The language of the page a request is for (`/:lang/…`), the default for any other path. */
export function requestLocale(request: Request): Locale {
  const [, first] = new URL(request.url).pathname.split('/');
  return isLocale(first) ? first : DEFAULT_LOCALE;
}
