import {
  WebAuthnError,
  browserSupportsWebAuthn,
  startAuthentication,
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';

/**
 * Passkey ceremonies in the browser (they need JavaScript: WebAuthn is a browser API). Each is two
 * calls to the API on the shop's own origin (`/api/…`, proxied in development, routed by the CDN in
 * production), with `@simplewebauthn/browser` in between turning the API's JSON options into
 * `navigator.credentials` calls and the authenticator's answer back into JSON. The API makes and
 * checks the challenges; nothing here is trusted by it. Every call carries the session's CSRF
 * token. `@simplewebauthn/browser` uses no HTML or script sink, so it runs under
 * `trusted-types 'none'` (checked by the browser tests).
 */

/** How a ceremony ended. `code` is the API's error code, or `CANCELLED` / `UNSUPPORTED`. */
export type PasskeyOutcome<T = unknown> = { ok: true; body: T } | { ok: false; code: string };

/** Which passkey sign-in: without a password, as the second factor, or as a step-up. */
export type PasskeyAuthKind = 'passwordless' | 'second-factor' | 'step-up';

const AUTH_PATHS: Record<PasskeyAuthKind, string> = {
  passwordless: '/api/auth/passkey',
  'second-factor': '/api/auth/mfa/passkey',
  'step-up': '/api/auth/reauthenticate/passkey',
};

/** True once in a browser that can run WebAuthn ceremonies. */
export function passkeysSupported(): boolean {
  return typeof window !== 'undefined' && browserSupportsWebAuthn();
}

async function postJson(
  path: string,
  csrfToken: string | null,
  body?: unknown,
): Promise<PasskeyOutcome<Record<string, unknown>>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      credentials: 'same-origin',
      redirect: 'error',
    });
  } catch {
    return { ok: false, code: 'SERVICE_UNAVAILABLE' };
  }
  const json = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  if (response.ok) return { ok: true, body: json ?? {} };
  const error = json?.['error'] as { code?: unknown } | undefined;
  return { ok: false, code: typeof error?.code === 'string' ? error.code : 'INTERNAL_ERROR' };
}

function ceremonyFailure(error: unknown): PasskeyOutcome<never> {
  // The visitor dismissed the prompt, or no passkey of this shop is on the device.
  if (
    error instanceof WebAuthnError ||
    (error instanceof Error && error.name === 'NotAllowedError')
  )
    return { ok: false, code: 'CANCELLED' };
  return { ok: false, code: 'PASSKEY_REJECTED' };
}

/**
 * Signs in (or completes a sign-in, or steps up) with a passkey. On success the API has set the
 * new session cookie; the caller moves on.
 */
export async function authenticateWithPasskey(
  kind: PasskeyAuthKind,
  csrfToken: string | null,
): Promise<PasskeyOutcome> {
  if (!passkeysSupported()) return { ok: false, code: 'UNSUPPORTED' };
  const options = await postJson(`${AUTH_PATHS[kind]}/options`, csrfToken);
  if (!options.ok) return options;
  const publicKey = options.body['publicKey'] as PublicKeyCredentialRequestOptionsJSON | undefined;
  // Passwordless sign-in may have started the session: its token comes with the options.
  const token =
    typeof options.body['csrfToken'] === 'string' ? options.body['csrfToken'] : csrfToken;
  if (!publicKey) return { ok: false, code: 'PASSKEY_REJECTED' };
  let credential: unknown;
  try {
    credential = await startAuthentication({ optionsJSON: publicKey });
  } catch (error) {
    return ceremonyFailure(error);
  }
  return postJson(AUTH_PATHS[kind], token, { credential });
}

/**
 * Adds a passkey to the signed-in account. The API may answer `REAUTHENTICATION_REQUIRED` (the
 * caller sends the visitor to confirm it is them first). A first second factor comes with
 * recovery codes.
 */
export async function registerPasskey(
  name: string,
  csrfToken: string | null,
): Promise<PasskeyOutcome<{ recoveryCodes: string[] | null }>> {
  if (!passkeysSupported()) return { ok: false, code: 'UNSUPPORTED' };
  const options = await postJson('/api/account/passkeys/registration/options', csrfToken);
  if (!options.ok) return options;
  const publicKey = options.body['publicKey'] as PublicKeyCredentialCreationOptionsJSON | undefined;
  if (!publicKey) return { ok: false, code: 'PASSKEY_REJECTED' };
  let credential: unknown;
  try {
    credential = await startRegistration({ optionsJSON: publicKey });
  } catch (error) {
    return ceremonyFailure(error);
  }
  const trimmed = name.trim();
  const done = await postJson('/api/account/passkeys', csrfToken, {
    ...(trimmed ? { name: trimmed } : {}),
    credential,
  });
  if (!done.ok) return done;
  const codes = done.body['recoveryCodes'];
  return {
    ok: true,
    body: {
      recoveryCodes:
        Array.isArray(codes) && codes.every((c) => typeof c === 'string') ? codes : null,
    },
  };
}
