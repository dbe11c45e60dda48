import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  signedInCustomer,
  startIdentityWorld,
  strongPassword,
  tokenFromMail,
  uniqueEmail,
  type IdentityWorld,
} from './identity-fixture';

let world: IdentityWorld;

beforeAll(async () => {
  world = await startIdentityWorld({ STEP_UP_MAX_AGE_SECONDS: '30' });
});
afterAll(async () => {
  await world.close();
});

describe('sessions', () => {
  it('lists the user’s own sessions and revokes one by its handle', async () => {
    const { browser, email, password } = await signedInCustomer(world);
    const laptop = world.browser();
    await laptop.post('/api/auth/login', { email, password });
    const list = await browser.get('/api/account/sessions');
    expect(list.status).toBe(200);
    expect(list.body.sessions).toHaveLength(2);
    const other = (list.body.sessions as Array<{ id: string; current: boolean }>).find(
      (s) => !s.current,
    );
    expect(JSON.stringify(list.body)).not.toContain(browser.sid);
    expect((await browser.delete(`/api/account/sessions/${other?.id}`)).status).toBe(204);
    expect((await laptop.get('/api/account/profile')).status).toBe(401);
  });

  it('answers 404 for another user’s session handle and leaves it alive (IDOR)', async () => {
    const alice = await signedInCustomer(world);
    const bob = await signedInCustomer(world);
    const bobs = await bob.browser.get('/api/account/sessions');
    const handle = (bobs.body.sessions as Array<{ id: string }>)[0]?.id;
    const attempt = await alice.browser.delete(`/api/account/sessions/${handle}`);
    expect(attempt.status).toBe(404);
    expect((await bob.browser.get('/api/account/profile')).status).toBe(200);
  });
});

describe('password change and reset', () => {
  it('needs the current password, and signs out the other sessions', async () => {
    const { browser, email, password } = await signedInCustomer(world);
    const phone = world.browser();
    await phone.post('/api/auth/login', { email, password });
    const wrong = await browser.post('/api/account/password', {
      currentPassword: strongPassword(),
      newPassword: strongPassword(),
    });
    expect(wrong.status).toBe(401);
    const next = strongPassword();
    const ok = await browser.post('/api/account/password', {
      currentPassword: password,
      newPassword: next,
      signOutOtherSessions: true,
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await phone.get('/api/account/profile')).status).toBe(401);
    expect((await browser.get('/api/account/profile')).status).toBe(200);
    expect((await world.browser().post('/api/auth/login', { email, password: next })).status).toBe(
      200,
    );
  });

  it('resets by a single-use emailed token, which ends every session', async () => {
    const { browser, email } = await signedInCustomer(world);
    const unknown = await world
      .browser()
      .post('/api/auth/password-reset', { email: 'nobody@example.test' });
    const known = await world.browser().post('/api/auth/password-reset', { email });
    expect(unknown.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
    const token = await tokenFromMail(world, email, 'reset-password');
    const next = strongPassword();
    const done = await world
      .browser()
      .post('/api/auth/password-reset/complete', { token, password: next });
    expect(done.status).toBe(204);
    expect((await browser.get('/api/account/profile')).status).toBe(401);
    const reused = await world.browser().post('/api/auth/password-reset/complete', {
      token,
      password: strongPassword(),
    });
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('INVALID_TOKEN');
    expect((await world.browser().post('/api/auth/login', { email, password: next })).status).toBe(
      200,
    );
  });
});

describe('password reset request timing', () => {
  it('answers before the link is issued, so a registered address takes no longer than an unknown one', async () => {
    const { email } = await signedInCustomer(world);
    // Hold the token table: issuing a link now has to wait; the answer must not.
    const owner = new pg.Client({ connectionString: inject('testEnv').ownerDatabaseUrl });
    await owner.connect();
    try {
      await owner.query('BEGIN');
      await owner.query('LOCK TABLE account_tokens IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const response = await world.browser().post('/api/auth/password-reset', { email });
      expect(response.status).toBe(202);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      await owner.query('ROLLBACK');
      await owner.end();
    }
    // The link is issued once the table is free.
    expect(await tokenFromMail(world, email, 'reset-password')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('email change', () => {
  it('moves the account to the new address only from the link sent there, and tells the old one', async () => {
    const { browser, email, password } = await signedInCustomer(world);
    const next = uniqueEmail('moved');
    expect((await browser.post('/api/account/email', { newEmail: next })).status).toBe(202);
    const token = await tokenFromMail(world, next, 'confirm-email-change');
    // Still the old address until the link is used.
    expect((await browser.get('/api/account/profile')).body.email).toBe(email);
    expect((await world.browser().post('/api/auth/confirm-email-change', { token })).status).toBe(
      204,
    );
    expect((await browser.get('/api/account/profile')).body.email).toBe(next);
    expect((await world.browser().post('/api/auth/login', { email: next, password })).status).toBe(
      200,
    );
    expect((await world.browser().post('/api/auth/login', { email, password })).status).toBe(401);
    await world.smtp.waitFor((m) => m.to.includes(email) && /was changed/i.test(m.subject));
    const reused = await world.browser().post('/api/auth/confirm-email-change', { token });
    expect(reused.status).toBe(400);
  });

  it('answers the same when the new address is taken, and changes nothing', async () => {
    const alice = await signedInCustomer(world);
    const bob = await signedInCustomer(world);
    const response = await alice.browser.post('/api/account/email', { newEmail: bob.email });
    expect(response.status).toBe(202);
    expect((await alice.browser.get('/api/account/profile')).body.email).toBe(alice.email);
  });
});

describe('step-up', () => {
  it('asks for re-authentication before an email change once the sign-in is old', async () => {
    const { browser, password } = await signedInCustomer(world);
    const fresh = await browser.post('/api/account/email', {
      newEmail: 'new-address@example.test',
    });
    expect(fresh.status).toBe(202);
    // Age the sign-in beyond STEP_UP_MAX_AGE_SECONDS by rewriting the server-side session.
    const { SessionService } = await import('../../src/session/session.service');
    const sessions = world.t.app.get(SessionService);
    const session = await sessions.load(browser.sid);
    if (!session?.record.auth) throw new Error('no session');
    session.record.auth.reauthenticatedAt -= 60_000;
    await sessions.save(session);
    const stale = await browser.post('/api/account/email', { newEmail: 'other@example.test' });
    expect(stale.status).toBe(401);
    expect(stale.body.error.code).toBe('REAUTHENTICATION_REQUIRED');
    const wrong = await browser.post('/api/auth/reauthenticate', { password: strongPassword() });
    expect(wrong.status).toBe(401);
    expect((await browser.post('/api/auth/reauthenticate', { password })).status).toBe(200);
    expect(
      (await browser.post('/api/account/email', { newEmail: 'other@example.test' })).status,
    ).toBe(202);
  });
});
