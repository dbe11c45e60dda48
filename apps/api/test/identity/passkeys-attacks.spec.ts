import { generateKeyPairSync } from 'node:crypto';
import { PasskeyAuthenticationOptionsResponseSchema } from '@storefront/contracts';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLog, type CapturedLog } from '../audit/log-capture';
import type { Browser } from '../support/browser';
import { SoftwareAuthenticator } from '../support/software-authenticator';
import {
  signedInCustomer,
  startIdentityWorld,
  strongPassword,
  totpCode,
  type IdentityWorld,
} from './identity-fixture';
import {
  PASSWORDLESS,
  SECOND_FACTOR,
  STEP_UP,
  assertWithPasskey,
  enrolPasskey,
  registrationAnswer,
  staffAwaitingMfa,
} from './passkeys-fixture';

let world: IdentityWorld;
let log: CapturedLog;

beforeAll(async () => {
  log = captureLog();
  world = await startIdentityWorld({ LOGIN_LOCKOUT_THRESHOLD: '3' }, log.logger);
});
afterAll(async () => {
  await world.close();
});

type Line = Record<string, unknown> & { target?: { id?: string } | null; details?: unknown };

/** Details of the security-event lines named `name` about user `userId`. */
function details(name: string, userId: string): unknown[] {
  return (log.lines() as Line[])
    .filter((l) => l.securityEvent === name && l.target?.id === userId)
    .map((l) => l.details);
}

function db(): DataSource {
  return world.t.app.get(DataSource);
}

/** Every column of the account's passkeys, to prove an attack changed nothing. */
async function passkeyRows(userId: string): Promise<unknown[]> {
  return db().query(
    `SELECT id, credential_id, encode(public_key, 'hex') AS public_key, sign_count, transports,
            device_type, backed_up, user_handle, name_sealed, created_at, last_used_at
       FROM webauthn_credentials WHERE user_id = $1 ORDER BY id`,
    [userId],
  );
}

async function userIdOf(browser: Browser): Promise<string> {
  return (await browser.get('/api/account/profile')).body.id as string;
}

/** A customer with one passkey. */
async function customerWithPasskey(
  options: ConstructorParameters<typeof SoftwareAuthenticator>[0] = {},
) {
  const customer = await signedInCustomer(world);
  const authenticator = new SoftwareAuthenticator(options);
  const passkey = await enrolPasskey(customer.browser, authenticator);
  return { ...customer, authenticator, passkey, id: await userIdOf(customer.browser) };
}

describe('replayed assertions', () => {
  it('refuses an assertion answering a challenge already used, even from a counter-less passkey', async () => {
    // A synced passkey keeps no counter: only the single-use challenge stops the replay.
    const victim = await customerWithPasskey({ counter: 'zero', synced: true });
    const first = world.browser();
    const { response, credential } = await assertWithPasskey(
      first,
      victim.authenticator,
      PASSWORDLESS,
    );
    expect(response.status).toBe(200);
    const again = await first.post(PASSWORDLESS.verify, { credential });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('INVALID_CREDENTIALS');

    // Replayed into a new ceremony (a fresh challenge pending): the signed challenge differs.
    const attacker = world.browser();
    expect((await attacker.post(PASSWORDLESS.options)).status).toBe(200);
    const replayed = await attacker.post(PASSWORDLESS.verify, { credential });
    expect(replayed.status).toBe(401);
    expect(details('auth.login.failed', victim.id)).toContainEqual({
      method: 'passkey',
      reason: 'invalid_credentials',
    });
  });

  it('lets only one of two concurrent submissions of the same assertion through', async () => {
    const victim = await customerWithPasskey({ counter: 'zero' });
    const one = world.browser();
    const options = await one.post(PASSWORDLESS.options);
    const credential = victim.authenticator.assert(
      PasskeyAuthenticationOptionsResponseSchema.parse(options.body).publicKey,
    );
    // The same session cookie and token, twice at once (a stolen request replayed in a race).
    const two = world.browser();
    two.sid = one.sid;
    two.csrfToken = one.csrfToken;
    const results = await Promise.all([
      one.post(PASSWORDLESS.verify, { credential }),
      two.post(PASSWORDLESS.verify, { credential }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('refuses a second-factor assertion replayed into a later partial sign-in', async () => {
    const victim = await customerWithPasskey({ counter: 'zero' });
    const first = world.browser();
    await first.post('/api/auth/login', { email: victim.email, password: victim.password });
    const { response, credential } = await assertWithPasskey(
      first,
      victim.authenticator,
      SECOND_FACTOR,
    );
    expect(response.status).toBe(200);

    const attacker = world.browser();
    await attacker.post('/api/auth/login', { email: victim.email, password: victim.password });
    expect((await attacker.post(SECOND_FACTOR.options)).status).toBe(200);
    const replayed = await attacker.post(SECOND_FACTOR.verify, { credential });
    expect(replayed.status).toBe(401);
    expect(replayed.body.error.code).toBe('INVALID_MFA_CODE');
    expect((await attacker.get('/api/account/profile')).body.error.code).toBe('MFA_REQUIRED');
    // Without asking for options first, there is no challenge at all.
    const noChallenge = await attacker.post(SECOND_FACTOR.verify, { credential });
    expect(noChallenge.status).toBe(401);
    expect(details('auth.mfa.challenge.failed', victim.id)).toEqual(
      expect.arrayContaining([
        { factor: 'webauthn', purpose: 'login', reason: 'invalid' },
        { factor: 'webauthn', purpose: 'login', reason: 'expired' },
      ]),
    );
  });

  it('never takes the challenge from the client, nor one issued to another session', async () => {
    const victim = await customerWithPasskey();
    // A challenge of the attacker's choosing, signed by the real authenticator.
    const chosen = await assertWithPasskey(world.browser(), victim.authenticator, PASSWORDLESS, {
      challenge: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(chosen.response.status).toBe(401);
    // A challenge issued to someone else's session, answered from the attacker's own session
    // (whose own challenge is older: only the session's own challenge counts, not the latest).
    const attacker = world.browser();
    expect((await attacker.post(PASSWORDLESS.options)).status).toBe(200);
    const victimBrowser = world.browser();
    const issued = await victimBrowser.post(PASSWORDLESS.options);
    const credential = victim.authenticator.assert(
      PasskeyAuthenticationOptionsResponseSchema.parse(issued.body).publicKey,
    );
    expect((await attacker.post(PASSWORDLESS.verify, { credential })).status).toBe(401);
    expect((await victimBrowser.post(PASSWORDLESS.verify, { credential })).status).toBe(200);
    // The assertion of a sign-in is no registration, and a registration answer no sign-in.
    const wrongType = await assertWithPasskey(world.browser(), victim.authenticator, PASSWORDLESS, {
      type: 'webauthn.create',
    });
    expect(wrongType.response.status).toBe(401);
  });
});

describe('origin and RP ID', () => {
  it('refuses a registration made on another origin or for another RP ID, storing nothing', async () => {
    const { browser } = await signedInCustomer(world);
    const userId = await userIdOf(browser);
    const authenticator = new SoftwareAuthenticator();
    for (const overrides of [
      { origin: 'https://evil.example' },
      // A public origin of the API, but not on the passkeys' domain (an IP address).
      { origin: 'http://127.0.0.1:3000' },
      { rpId: 'evil.example' },
      { userVerified: false },
      { userPresent: false },
    ]) {
      const credential = await registrationAnswer(browser, authenticator, overrides);
      const refused = await browser.post('/api/account/passkeys', { credential });
      expect(refused.status, JSON.stringify(overrides)).toBe(400);
      expect(refused.body.error.code).toBe('PASSKEY_REJECTED');
    }
    expect(await passkeyRows(userId)).toEqual([]);
    // The same authenticator, honestly used, registers fine.
    await enrolPasskey(browser, authenticator);
  });

  it('refuses sign-in assertions made on another origin or for another RP ID', async () => {
    const victim = await customerWithPasskey();
    for (const overrides of [
      { origin: 'https://evil.example' },
      { origin: 'http://localhost.evil.example:3000' },
      { rpId: 'evil.example' },
    ]) {
      for (const urls of [PASSWORDLESS]) {
        const { response } = await assertWithPasskey(
          world.browser(),
          victim.authenticator,
          urls,
          overrides,
        );
        expect(response.status, JSON.stringify(overrides)).toBe(401);
        expect(response.body.error.code).toBe('INVALID_CREDENTIALS');
      }
    }
    const partial = world.browser();
    await partial.post('/api/auth/login', { email: victim.email, password: victim.password });
    const phished = await assertWithPasskey(partial, victim.authenticator, SECOND_FACTOR, {
      origin: 'https://evil.example',
    });
    expect(phished.response.status).toBe(401);
    expect(phished.response.body.error.code).toBe('INVALID_MFA_CODE');
    const wrongRp = await assertWithPasskey(partial, victim.authenticator, SECOND_FACTOR, {
      rpId: 'evil.example',
    });
    expect(wrongRp.response.status).toBe(401);
  });
});

describe('passwordless sign-in keeps the promises of the password login', () => {
  it('requires user verification, the registered user handle, and a valid signature', async () => {
    const cases = [
      { userVerified: false },
      { userHandle: null },
      { userHandle: 'c29tZW9uZS1lbHNl' },
      { signingKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey },
    ];
    for (const overrides of cases) {
      const victim = await customerWithPasskey();
      const { response } = await assertWithPasskey(
        world.browser(),
        victim.authenticator,
        PASSWORDLESS,
        overrides,
      );
      expect(response.status).toBe(401);
      // The same passkey, honestly used, signs in: the assertion was what failed.
      const honest = await assertWithPasskey(world.browser(), victim.authenticator, PASSWORDLESS);
      expect(honest.response.status).toBe(200);
    }
  });

  it('answers an unknown credential exactly like a wrong password', async () => {
    const stranger = new SoftwareAuthenticator();
    // A passkey registered nowhere in this shop (its options came from another account's page).
    const { browser } = await signedInCustomer(world);
    await registrationAnswer(browser, stranger);
    const unknown = await assertWithPasskey(world.browser(), stranger, PASSWORDLESS);
    const wrongPassword = await world
      .browser()
      .post('/api/auth/login', { email: 'nobody@example.test', password: strongPassword() });
    expect(unknown.response.status).toBe(wrongPassword.status);
    expect(unknown.response.body.error.code).toBe(wrongPassword.body.error.code);
    expect(unknown.response.body.error.message).toBe(wrongPassword.body.error.message);
  });

  it('locks a credential after repeated failures, with the same answer', async () => {
    const victim = await customerWithPasskey();
    const forged = { signingKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey };
    for (let i = 0; i < 3; i++) {
      const { response } = await assertWithPasskey(
        world.browser(),
        victim.authenticator,
        PASSWORDLESS,
        forged,
      );
      expect(response.status).toBe(401);
    }
    expect(details('auth.lockout.started', victim.id)).toHaveLength(1);
    const locked = await assertWithPasskey(world.browser(), victim.authenticator, PASSWORDLESS);
    expect(locked.response.status).toBe(401);
    expect(locked.response.body.error.code).toBe('INVALID_CREDENTIALS');
    expect(details('auth.login.failed', victim.id)).toContainEqual({
      method: 'passkey',
      reason: 'locked',
    });
  });

  it('refuses a disabled account like the login does, and an unverified one', async () => {
    const victim = await customerWithPasskey();
    await db().query(`UPDATE users SET status = 'disabled' WHERE id = $1`, [victim.id]);
    const disabled = await assertWithPasskey(world.browser(), victim.authenticator, PASSWORDLESS);
    expect(disabled.response.status).toBe(401);
    expect(disabled.response.body.error.code).toBe('INVALID_CREDENTIALS');
    expect(details('auth.login.failed', victim.id)).toContainEqual({
      method: 'passkey',
      reason: 'disabled',
    });

    await db().query(`UPDATE users SET status = 'active', email_verified_at = NULL WHERE id = $1`, [
      victim.id,
    ]);
    const unverified = await assertWithPasskey(world.browser(), victim.authenticator, PASSWORDLESS);
    expect(unverified.response.status).toBe(403);
    expect(unverified.response.body.error.code).toBe('EMAIL_NOT_VERIFIED');
  });
});

describe('signature counter (WebAuthn §6.1.1, as the library applies it)', () => {
  it('refuses an assertion whose counter does not move forward, and records the highest seen', async () => {
    const victim = await customerWithPasskey();
    const ahead = await assertWithPasskey(world.browser(), victim.authenticator, PASSWORDLESS, {
      signCount: 5,
    });
    expect(ahead.response.status).toBe(200);
    for (const signCount of [5, 3]) {
      // A clone of the authenticator, behind the original's counter.
      const clone = await assertWithPasskey(world.browser(), victim.authenticator, PASSWORDLESS, {
        signCount,
      });
      expect(clone.response.status, `counter ${signCount}`).toBe(401);
    }
    const partial = world.browser();
    await partial.post('/api/auth/login', { email: victim.email, password: victim.password });
    const cloneAsFactor = await assertWithPasskey(partial, victim.authenticator, SECOND_FACTOR, {
      signCount: 4,
    });
    expect(cloneAsFactor.response.status).toBe(401);
    expect(details('auth.mfa.challenge.failed', victim.id)).toContainEqual({
      factor: 'webauthn',
      purpose: 'login',
      reason: 'replayed',
    });
    const [row] = await db().query<Array<{ sign_count: string }>>(
      `SELECT sign_count FROM webauthn_credentials WHERE user_id = $1`,
      [victim.id],
    );
    expect(row?.sign_count).toBe('5');
    const next = await assertWithPasskey(world.browser(), victim.authenticator, PASSWORDLESS, {
      signCount: 6,
    });
    expect(next.response.status).toBe(200);
  });

  it('lets only one of two assertions racing with the same counter through', async () => {
    const victim = await customerWithPasskey();
    const [a, b] = [world.browser(), world.browser()];
    const credentials = [];
    for (const browser of [a, b]) {
      const options = await browser.post(PASSWORDLESS.options);
      credentials.push(
        victim.authenticator.assert(
          PasskeyAuthenticationOptionsResponseSchema.parse(options.body).publicKey,
          { signCount: 7 },
        ),
      );
    }
    const results = await Promise.all([
      a.post(PASSWORDLESS.verify, { credential: credentials[0] }),
      b.post(PASSWORDLESS.verify, { credential: credentials[1] }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('accepts authenticators that keep no counter (always 0)', async () => {
    const victim = await customerWithPasskey({ counter: 'zero', synced: true });
    for (let i = 0; i < 2; i++) {
      const { response } = await assertWithPasskey(
        world.browser(),
        victim.authenticator,
        PASSWORDLESS,
      );
      expect(response.status).toBe(200);
    }
  });
});

describe('second-factor guessing', () => {
  it('ends a partial sign-in after five failed passkey attempts (counted with TOTP codes)', async () => {
    const victim = await customerWithPasskey();
    const partial = world.browser();
    await partial.post('/api/auth/login', { email: victim.email, password: victim.password });
    for (let i = 0; i < 4; i++) {
      const { response } = await assertWithPasskey(partial, victim.authenticator, SECOND_FACTOR, {
        origin: 'https://evil.example',
      });
      expect(response.body.error.code).toBe('INVALID_MFA_CODE');
    }
    expect(
      (await partial.post('/api/auth/mfa', { method: 'totp', code: '000000' })).body.error.code,
    ).toBe('INVALID_MFA_CODE');
    const after = await partial.post(SECOND_FACTOR.options);
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('UNAUTHENTICATED');
  });
});

describe('another account’s passkey (IDOR)', () => {
  it('cannot complete someone else’s second factor or step-up, nor be renamed or deleted by them', async () => {
    const victim = await customerWithPasskey();
    const attacker = await customerWithPasskey();
    const before = await passkeyRows(victim.id);

    // The attacker's partial sign-in, answered with the victim's credential.
    const partial = world.browser();
    await partial.post('/api/auth/login', { email: attacker.email, password: attacker.password });
    const options = await partial.post(SECOND_FACTOR.options);
    const foreign = victim.authenticator.assert(
      PasskeyAuthenticationOptionsResponseSchema.parse(options.body).publicKey,
      { credentialId: victim.passkey.credentialId },
    );
    const second = await partial.post(SECOND_FACTOR.verify, { credential: foreign });
    expect(second.status).toBe(401);
    expect(second.body.error.code).toBe('INVALID_MFA_CODE');

    const stepUpOptions = await attacker.browser.post(STEP_UP.options);
    const foreignStepUp = victim.authenticator.assert(
      PasskeyAuthenticationOptionsResponseSchema.parse(stepUpOptions.body).publicKey,
      { credentialId: victim.passkey.credentialId },
    );
    const stepUp = await attacker.browser.post(STEP_UP.verify, { credential: foreignStepUp });
    expect(stepUp.status).toBe(401);

    const rename = await attacker.browser.request(
      'PATCH',
      `/api/account/passkeys/${victim.passkey.id}`,
      { body: { name: 'pwned' } },
    );
    expect(rename.status).toBe(404);
    const remove = await attacker.browser.delete(`/api/account/passkeys/${victim.passkey.id}`);
    expect(remove.status).toBe(404);
    expect(remove.body.error.code).toBe('NOT_FOUND');
    const list = await attacker.browser.get('/api/account/passkeys');
    expect(JSON.stringify(list.body)).not.toContain(victim.passkey.id);

    expect(await passkeyRows(victim.id)).toEqual(before);
    expect(details('auth.mfa.removed', victim.id)).toEqual([]);
  });
});

describe('staff keep a second factor', () => {
  it('refuses to remove a staff member’s last second factor', async () => {
    const staff = await staffAwaitingMfa(world, ['support']);
    const key = new SoftwareAuthenticator();
    const first = await enrolPasskey(staff.browser, key);
    const last = await staff.browser.delete(`/api/account/passkeys/${first.id}`);
    expect(last.status).toBe(403);
    expect(last.body.error.code).toBe('FORBIDDEN');
    expect(await passkeyRows(staff.id)).toHaveLength(1);

    // With a second passkey, one may go; the other is then the last one again.
    const second = await enrolPasskey(staff.browser, new SoftwareAuthenticator());
    expect((await staff.browser.delete(`/api/account/passkeys/${first.id}`)).status).toBe(204);
    expect((await staff.browser.delete(`/api/account/passkeys/${second.id}`)).status).toBe(403);

    // With TOTP as well, the last passkey may go.
    const enrol = await staff.browser.post('/api/account/mfa/totp');
    expect(enrol.status).toBe(201);
    expect(
      (
        await staff.browser.post('/api/account/mfa/totp/confirm', {
          code: totpCode(enrol.body.secret as string),
        })
      ).status,
    ).toBe(200);
    expect((await staff.browser.delete(`/api/account/passkeys/${second.id}`)).status).toBe(204);
    expect(details('auth.mfa.removed', staff.id)).toEqual([
      { factor: 'webauthn' },
      { factor: 'webauthn' },
    ]);
  });

  it('staff in forced enrolment reach the passkey registration routes and nothing else', async () => {
    const staff = await staffAwaitingMfa(world, ['administrator']);
    expect((await staff.browser.get('/api/admin/staff')).body.error.code).toBe(
      'MFA_ENROLMENT_REQUIRED',
    );
    expect((await staff.browser.post(STEP_UP.options)).body.error.code).toBe(
      'MFA_ENROLMENT_REQUIRED',
    );
    const options = await staff.browser.post('/api/account/passkeys/registration/options');
    expect(options.status).toBe(200);
  });
});

describe('request forgery', () => {
  it('needs the session’s CSRF token to register or delete a passkey', async () => {
    const { browser, id, passkey } = await customerWithPasskey();
    const credential = await registrationAnswer(browser, new SoftwareAuthenticator());
    const forged = await browser.post(
      '/api/account/passkeys',
      { credential },
      { withoutCsrf: true },
    );
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('CSRF_REJECTED');
    const removal = await browser.request('DELETE', `/api/account/passkeys/${passkey.id}`, {
      withoutCsrf: true,
    });
    expect(removal.status).toBe(403);
    expect(await passkeyRows(id)).toHaveLength(1);
  });
});
