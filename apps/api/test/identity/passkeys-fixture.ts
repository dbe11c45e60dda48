import {
  PasskeyAuthenticationOptionsResponseSchema,
  PasskeyRegistrationOptionsResponseSchema,
} from '@storefront/contracts';
import { expect } from 'vitest';
import { StaffService } from '../../src/identity/staff.service';
import type { Browser, BrowserResponse } from '../support/browser';
import {
  SoftwareAuthenticator,
  type AssertionOverrides,
  type CeremonyOverrides,
} from '../support/software-authenticator';
import { strongPassword, tokenFromMail, uniqueEmail, type IdentityWorld } from './identity-fixture';

/** Registers a passkey of `authenticator` on the signed-in `browser`'s account. */
export async function enrolPasskey(
  browser: Browser,
  authenticator: SoftwareAuthenticator,
  name?: string,
): Promise<{ id: string; credentialId: string; recoveryCodes?: string[] }> {
  const options = await browser.post('/api/account/passkeys/registration/options');
  expect(options.status, JSON.stringify(options.body)).toBe(200);
  const credential = authenticator.register(
    PasskeyRegistrationOptionsResponseSchema.parse(options.body).publicKey,
  );
  const registered = await browser.post('/api/account/passkeys', {
    ...(name === undefined ? {} : { name }),
    credential,
  });
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  return {
    id: registered.body.passkey.id as string,
    credentialId: credential.id,
    recoveryCodes: registered.body.recoveryCodes as string[] | undefined,
  };
}

/** Starts a registration and returns the browser's (possibly tampered) answer, unsent. */
export async function registrationAnswer(
  browser: Browser,
  authenticator: SoftwareAuthenticator,
  overrides: CeremonyOverrides = {},
) {
  const options = await browser.post('/api/account/passkeys/registration/options');
  expect(options.status, JSON.stringify(options.body)).toBe(200);
  return authenticator.register(
    PasskeyRegistrationOptionsResponseSchema.parse(options.body).publicKey,
    overrides,
  );
}

/** Runs one passkey assertion ceremony: `optionsUrl`, then `verifyUrl` with the answer. */
export async function assertWithPasskey(
  browser: Browser,
  authenticator: SoftwareAuthenticator,
  urls: { options: string; verify: string },
  overrides: AssertionOverrides = {},
): Promise<{ response: BrowserResponse; credential: ReturnType<SoftwareAuthenticator['assert']> }> {
  const options = await browser.post(urls.options);
  expect(options.status, JSON.stringify(options.body)).toBe(200);
  const credential = authenticator.assert(
    PasskeyAuthenticationOptionsResponseSchema.parse(options.body).publicKey,
    overrides,
  );
  return { response: await browser.post(urls.verify, { credential }), credential };
}

/** The routes of passwordless sign-in. */
export const PASSWORDLESS = { options: '/api/auth/passkey/options', verify: '/api/auth/passkey' };
/** The routes of the passkey second factor. */
export const SECOND_FACTOR = {
  options: '/api/auth/mfa/passkey/options',
  verify: '/api/auth/mfa/passkey',
};
/** The routes of a passkey step-up. */
export const STEP_UP = {
  options: '/api/auth/reauthenticate/passkey/options',
  verify: '/api/auth/reauthenticate/passkey',
};

/**
 * A staff member invited through the real flow, password chosen, signed in: the session is in
 * the forced MFA enrolment state.
 */
export async function staffAwaitingMfa(
  world: IdentityWorld,
  roles: string[],
): Promise<{ browser: Browser; email: string; password: string; id: string }> {
  const email = uniqueEmail('staff');
  const password = strongPassword();
  const created = await world.t.app
    .get(StaffService)
    .create({ actor: { type: 'system', id: 'test' } }, { email, roles: roles as ['support'] });
  const token = await tokenFromMail(world, email, 'staff-invite');
  const browser = world.browser();
  expect((await browser.post('/api/auth/staff-invite/complete', { token, password })).status).toBe(
    204,
  );
  const login = await browser.post('/api/auth/login', { email, password });
  expect(login.body.status).toBe('mfa-enrolment-required');
  return { browser, email, password, id: created.id };
}
