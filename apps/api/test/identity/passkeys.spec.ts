import {
  PasskeyAuthenticationOptionsResponseSchema,
  PasskeyEnrolledSchema,
  PasskeyListSchema,
  PasskeyRegistrationOptionsResponseSchema,
} from '@storefront/contracts';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionService } from '../../src/session/session.service';
import { captureLog, type CapturedLog } from '../audit/log-capture';
import type { Browser } from '../support/browser';
import { SoftwareAuthenticator } from '../support/software-authenticator';
import {
  signedInCustomer,
  startIdentityWorld,
  totpCode,
  type IdentityWorld,
} from './identity-fixture';
import {
  PASSWORDLESS,
  SECOND_FACTOR,
  STEP_UP,
  assertWithPasskey,
  enrolPasskey,
  staffAwaitingMfa,
} from './passkeys-fixture';

let world: IdentityWorld;
let log: CapturedLog;

beforeAll(async () => {
  log = captureLog();
  world = await startIdentityWorld({ STEP_UP_MAX_AGE_SECONDS: '30' }, log.logger);
});
afterAll(async () => {
  await world.close();
});

type Line = Record<string, unknown> & { target?: { id?: string } | null; details?: unknown };

/** Security-event lines named `name` about user `userId`. */
function events(name: string, userId: string): Line[] {
  return (log.lines() as Line[]).filter((l) => l.securityEvent === name && l.target?.id === userId);
}

async function profileOf(browser: Browser) {
  const profile = await browser.get('/api/account/profile');
  expect(profile.status).toBe(200);
  return profile.body as { id: string; mfa: { totp: boolean; passkeys: number } };
}

describe('passkeys: enrolment and passwordless sign-in', () => {
  it('registers a passkey (with recovery codes as the first factor), then signs in with it alone', async () => {
    const { browser, email, password } = await signedInCustomer(world);
    const authenticator = new SoftwareAuthenticator();

    const options = await browser.post('/api/account/passkeys/registration/options');
    expect(options.status).toBe(200);
    const publicKey = PasskeyRegistrationOptionsResponseSchema.parse(options.body).publicKey;
    expect(publicKey.rp.id).toBe('localhost');
    expect(publicKey.authenticatorSelection).toMatchObject({
      residentKey: 'required',
      userVerification: 'required',
    });
    expect(publicKey.attestation).toBe('none');
    // The user handle is random, not the account id.
    const { id: userId } = await profileOf(browser);
    expect(Buffer.from(publicKey.user.id, 'base64url').toString('utf8')).not.toContain(userId);
    expect(publicKey.user.name).toBe(email);

    const credential = authenticator.register(publicKey);
    const registered = await browser.post('/api/account/passkeys', {
      name: 'Work laptop',
      credential,
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const enrolled = PasskeyEnrolledSchema.parse(registered.body);
    expect(enrolled.passkey.name).toBe('Work laptop');
    expect(enrolled.recoveryCodes?.length).toBeGreaterThanOrEqual(10);
    expect((await profileOf(browser)).mfa).toMatchObject({ totp: false, passkeys: 1 });

    // Stored: the COSE key and counter in clear, the chosen name sealed.
    const [row] = await world.t.app
      .get(DataSource)
      .query<
        Array<{ credential_id: string; name_sealed: string; sign_count: string; user_id: string }>
      >(
        `SELECT credential_id, name_sealed, sign_count, user_id FROM webauthn_credentials WHERE id = $1`,
        [enrolled.passkey.id],
      );
    expect(row?.credential_id).toBe(credential.id);
    expect(row?.user_id).toBe(userId);
    expect(row?.name_sealed).toMatch(/^fe1\./);
    expect(row?.name_sealed).not.toContain('Work laptop');

    // Passwordless, from another browser: a full session straight away.
    const phone = world.browser();
    const first = await phone.post(PASSWORDLESS.options);
    expect(first.status).toBe(200);
    const request = PasskeyAuthenticationOptionsResponseSchema.parse(first.body).publicKey;
    expect(request.allowCredentials).toEqual([]);
    expect(request.userVerification).toBe('required');
    // Challenges: 256 bits from the CSPRNG, a new one for every ceremony.
    expect(Buffer.from(request.challenge, 'base64url')).toHaveLength(32);
    expect(Buffer.from(publicKey.challenge, 'base64url')).toHaveLength(32);
    expect(request.challenge).not.toBe(publicKey.challenge);
    const anonymousSid = phone.sid;
    expect(anonymousSid).toBeDefined();
    const signIn = await phone.post(PASSWORDLESS.verify, {
      credential: authenticator.assert(request),
    });
    expect(signIn.status, JSON.stringify(signIn.body)).toBe(200);
    expect(signIn.body.status).toBe('authenticated');
    expect(phone.sid).not.toBe(anonymousSid);
    expect((await profileOf(phone)).id).toBe(userId);

    // Password sign-in now needs a second factor, and offers the passkey.
    const next = world.browser();
    const login = await next.post('/api/auth/login', { email, password });
    expect(login.body.status).toBe('mfa-required');
    expect(login.body.secondFactors).toEqual(['passkey', 'recovery-code']);

    expect(events('auth.mfa.enrolled', userId).map((l) => l.details)).toEqual([
      { factor: 'webauthn' },
    ]);
    expect(events('auth.login.succeeded', userId).map((l) => l.details)).toContainEqual({
      method: 'passkey',
      mfa: true,
    });
    // A notice of the change goes to the account's address.
    await world.smtp.waitFor((m) => m.to.includes(email) && /passkey was added/i.test(m.text));
  });

  it('lists and renames the account’s passkeys; the list never shows keys or credential ids', async () => {
    const { browser } = await signedInCustomer(world);
    const authenticator = new SoftwareAuthenticator({ synced: true });
    const first = await enrolPasskey(browser, authenticator, 'Phone');
    const second = await enrolPasskey(browser, new SoftwareAuthenticator(), 'Key');
    expect(second.recoveryCodes).toBeUndefined();
    const list = await browser.get('/api/account/passkeys');
    expect(list.status).toBe(200);
    const parsed = PasskeyListSchema.parse(list.body);
    expect(parsed.passkeys.map((p) => [p.name, p.synced])).toEqual([
      ['Phone', true],
      ['Key', false],
    ]);
    expect(JSON.stringify(list.body)).not.toContain(first.credentialId);
    const renamed = await browser.request('PATCH', `/api/account/passkeys/${first.id}`, {
      body: { name: 'Old phone' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Old phone');
    const bad = await browser.request('PATCH', `/api/account/passkeys/${first.id}`, {
      body: { name: 'line\nbreak' },
    });
    expect(bad.status).toBe(400);
  });

  it('refuses to register the same authenticator twice on one account', async () => {
    const { browser } = await signedInCustomer(world);
    const authenticator = new SoftwareAuthenticator();
    const { credentialId } = await enrolPasskey(browser, authenticator);
    const options = await browser.post('/api/account/passkeys/registration/options');
    const { publicKey } = PasskeyRegistrationOptionsResponseSchema.parse(options.body);
    expect(publicKey.excludeCredentials.map((c) => c.id)).toEqual([credentialId]);
  });
});

describe('passkeys as a second factor', () => {
  it('completes a password sign-in with a passkey (user presence is enough after the password)', async () => {
    const { browser, email, password } = await signedInCustomer(world);
    const authenticator = new SoftwareAuthenticator();
    const { credentialId } = await enrolPasskey(browser, authenticator);
    const userId = (await profileOf(browser)).id;

    const next = world.browser();
    expect((await next.post('/api/auth/login', { email, password })).body.status).toBe(
      'mfa-required',
    );
    const options = await next.post(SECOND_FACTOR.options);
    expect(options.status).toBe(200);
    const { publicKey } = PasskeyAuthenticationOptionsResponseSchema.parse(options.body);
    expect(publicKey.userVerification).toBe('discouraged');
    expect(publicKey.allowCredentials.map((c) => c.id)).toEqual([credentialId]);
    const partialSid = next.sid;
    const done = await next.post(SECOND_FACTOR.verify, {
      credential: authenticator.assert(publicKey, { userVerified: false }),
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.status).toBe('authenticated');
    expect(next.sid).not.toBe(partialSid);
    expect((await profileOf(next)).id).toBe(userId);
    expect(events('auth.mfa.challenge.succeeded', userId).map((l) => l.details)).toContainEqual({
      factor: 'webauthn',
      purpose: 'login',
    });
  });

  it('is not reachable without a partial sign-in', async () => {
    const anonymous = world.browser();
    const options = await anonymous.post(SECOND_FACTOR.options);
    expect(options.status).toBe(401);
    expect(options.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('lets a TOTP user add a passkey, and a passkey user add TOTP', async () => {
    const { browser, email, password } = await signedInCustomer(world);
    await enrolPasskey(browser, new SoftwareAuthenticator());
    const enrol = await browser.post('/api/account/mfa/totp');
    expect(enrol.status).toBe(201);
    const confirm = await browser.post('/api/account/mfa/totp/confirm', {
      code: totpCode(enrol.body.secret as string),
    });
    expect(confirm.status).toBe(200);
    expect((await profileOf(browser)).mfa).toMatchObject({ totp: true, passkeys: 1 });
    const login = await world.browser().post('/api/auth/login', { email, password });
    expect(login.body.secondFactors).toEqual(['totp', 'passkey', 'recovery-code']);
  });
});

describe('staff: a passkey as the forced second factor', () => {
  it('enrols a passkey at first sign-in, which makes the session full; later signs in with it', async () => {
    const staff = await staffAwaitingMfa(world, ['support']);
    const authenticator = new SoftwareAuthenticator();
    // Nothing but enrolment is reachable yet.
    expect((await staff.browser.get('/api/account/passkeys')).body.error.code).toBe(
      'MFA_ENROLMENT_REQUIRED',
    );
    const before = staff.browser.sid;
    const { recoveryCodes } = await enrolPasskey(staff.browser, authenticator, 'YubiKey');
    expect(recoveryCodes?.length).toBeGreaterThanOrEqual(10);
    expect(staff.browser.sid).not.toBe(before);
    expect((await profileOf(staff.browser)).mfa).toMatchObject({ totp: false, passkeys: 1 });
    expect(events('auth.mfa.enrolled', staff.id).map((l) => l.details)).toEqual([
      { factor: 'webauthn' },
    ]);

    // Next time: password, then the passkey.
    const next = world.browser();
    const login = await next.post('/api/auth/login', {
      email: staff.email,
      password: staff.password,
    });
    expect(login.body.status).toBe('mfa-required');
    const { response } = await assertWithPasskey(next, authenticator, SECOND_FACTOR);
    expect(response.status).toBe(200);
    expect((await next.get('/api/account/profile')).status).toBe(200);
    expect(String(response.headers['set-cookie'])).toMatch(/SameSite=Strict/i);

    // Or the passkey alone (it verified the user): a full staff session.
    const passwordless = world.browser();
    const signIn = await assertWithPasskey(passwordless, authenticator, PASSWORDLESS);
    expect(signIn.response.status).toBe(200);
    expect((await profileOf(passwordless)).id).toBe(staff.id);
  });
});

describe('step-up with a passkey', () => {
  it('re-authenticates a passkey holder before a sensitive action', async () => {
    const { browser } = await signedInCustomer(world);
    const authenticator = new SoftwareAuthenticator();
    const { id } = await enrolPasskey(browser, authenticator);
    const userId = (await profileOf(browser)).id;
    // Age the sign-in beyond STEP_UP_MAX_AGE_SECONDS.
    const sessions = world.t.app.get(SessionService);
    const session = await sessions.load(browser.sid);
    if (!session?.record.auth) throw new Error('no session');
    session.record.auth.reauthenticatedAt -= 60_000;
    await sessions.save(session);
    const stale = await browser.delete(`/api/account/passkeys/${id}`);
    expect(stale.status).toBe(401);
    expect(stale.body.error.code).toBe('REAUTHENTICATION_REQUIRED');

    // Without user verification, a passkey does not step up.
    const unverified = await assertWithPasskey(browser, authenticator, STEP_UP, {
      userVerified: false,
    });
    expect(unverified.response.status).toBe(401);
    const { response } = await assertWithPasskey(browser, authenticator, STEP_UP);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect((await browser.delete(`/api/account/passkeys/${id}`)).status).toBe(204);
    expect(events('auth.mfa.challenge.succeeded', userId).map((l) => l.details)).toContainEqual({
      factor: 'webauthn',
      purpose: 'step_up',
    });
    expect(events('auth.mfa.challenge.failed', userId).map((l) => l.details)).toContainEqual({
      factor: 'webauthn',
      purpose: 'step_up',
      reason: 'invalid',
    });
    expect(events('auth.mfa.removed', userId).map((l) => l.details)).toEqual([
      { factor: 'webauthn' },
    ]);
    // The last second factor is gone: so are the recovery codes, and sign-in is password only.
    expect((await profileOf(browser)).mfa).toMatchObject({
      totp: false,
      passkeys: 0,
      recoveryCodesRemaining: 0,
    });
  });
});
