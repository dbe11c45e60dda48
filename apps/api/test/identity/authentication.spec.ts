import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { UsersRepository } from '../../src/identity/users.repository';
import { SessionService } from '../../src/session/session.service';
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
  world = await startIdentityWorld({ LOGIN_LOCKOUT_THRESHOLD: '4', LOGIN_IP_FAILURE_LIMIT: '12' });
});
afterAll(async () => {
  await world.close();
});

describe('registration', () => {
  it('answers identically for a new and an already registered address, and emails each the right thing', async () => {
    const email = uniqueEmail();
    const first = await world
      .browser()
      .post('/api/auth/register', { email, password: strongPassword() });
    const again = await world
      .browser()
      .post('/api/auth/register', { email, password: strongPassword() });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    await tokenFromMail(world, email);
    const notice = await world.smtp.waitFor((m) => m.to.includes(email) && !/token=/.test(m.text));
    expect(notice.subject).toMatch(/account/i);
  });

  it('answers before the account is written, so an existing address takes no longer than a new one', async () => {
    const email = uniqueEmail();
    // Hold the outbox (both outcomes enqueue a mail): writing must wait, the answer must not.
    const owner = new pg.Client({ connectionString: inject('testEnv').ownerDatabaseUrl });
    await owner.connect();
    try {
      await owner.query('BEGIN');
      await owner.query('LOCK TABLE mail_outbox IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const response = await world.browser().post('/api/auth/register', {
        email,
        password: strongPassword(),
      });
      expect(response.status).toBe(202);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      await owner.query('ROLLBACK');
      await owner.end();
    }
    expect(await tokenFromMail(world, email)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses mass assignment of a role with 400 and creates nothing', async () => {
    const email = uniqueEmail();
    const response = await world.browser().post('/api/auth/register', {
      email,
      password: strongPassword(),
      role: 'administrator',
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    const users = world.t.app.get(UsersRepository);
    expect(await users.findByEmailIndex(users.emailIndexOf(email))).toBeNull();
  });

  it('refuses short and common passwords with 422 WEAK_PASSWORD', async () => {
    const short = await world.browser().post('/api/auth/register', {
      email: uniqueEmail(),
      password: 'elevenchars',
    });
    expect(short.status).toBe(422);
    expect(short.body.error.code).toBe('WEAK_PASSWORD');
    // Each reason has a rule (and bound) a client can say in its own language.
    expect(short.body.error.issues).toEqual([
      {
        path: 'password',
        rule: 'password_too_short',
        limit: 12,
        message: 'Use at least 12 characters.',
      },
    ]);
    const common = await world.browser().post('/api/auth/register', {
      email: uniqueEmail(),
      password: 'password1234',
    });
    expect(common.status).toBe(422);
    expect(common.body.error.issues).toMatchObject([{ path: 'password', rule: 'password_common' }]);
  });

  it('needs the emailed link before signing in, and the link works once', async () => {
    const email = uniqueEmail();
    const password = strongPassword();
    const browser = world.browser();
    await browser.post('/api/auth/register', { email, password });
    const first = await tokenFromMail(world, email);
    const early = await browser.post('/api/auth/login', { email, password });
    expect(early.status).toBe(403);
    expect(early.body.error.code).toBe('EMAIL_NOT_VERIFIED');
    // Signing in unverified sends a fresh link; only the newest link works.
    await world.smtp.waitFor(
      (m) => m.to.includes(email) && /token=/.test(m.text) && !m.text.includes(first),
    );
    const token = await tokenFromMail(world, email);
    expect(token).not.toBe(first);
    expect((await browser.post('/api/auth/verify-email', { token: first })).status).toBe(400);
    expect((await browser.post('/api/auth/verify-email', { token })).status).toBe(204);
    const reused = await browser.post('/api/auth/verify-email', { token });
    expect(reused.status).toBe(400);
    expect(reused.body.error.code).toBe('INVALID_TOKEN');
    expect((await browser.post('/api/auth/login', { email, password })).status).toBe(200);
  });
});

describe('sign-in', () => {
  it('gives unknown accounts and wrong passwords the same answer', async () => {
    const { email } = await signedInCustomer(world);
    const wrong = await world
      .browser()
      .post('/api/auth/login', { email, password: strongPassword() });
    const unknown = await world.browser().post('/api/auth/login', {
      email: uniqueEmail('nobody'),
      password: strongPassword(),
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    expect({ ...unknown.body.error, requestId: '' }).toEqual({
      ...wrong.body.error,
      requestId: '',
    });
  });

  it('takes about as long for an unknown account as for a wrong password (no timing oracle)', async () => {
    const { email } = await signedInCustomer(world);
    const time = async (address: string) => {
      const started = process.hrtime.bigint();
      await world.browser().post('/api/auth/login', { email: address, password: strongPassword() });
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    // Two attempts each (the progressive delay starts at the third failure of an address), and
    // the fastest of each: load on a shared machine only ever adds time, so the minimum is the
    // request's own cost.
    const ghost = uniqueEmail('ghost');
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 2; i++) {
      known.push(await time(email));
      unknown.push(await time(ghost));
    }
    const fastest = (xs: number[]) => Math.min(...xs);
    // Both pay one argon2id verification; without the dummy hash an unknown account answers in
    // about a millisecond, far outside these bounds.
    expect(fastest(unknown)).toBeGreaterThan(15);
    expect(fastest(unknown)).toBeGreaterThan(fastest(known) * 0.4);
    expect(fastest(unknown)).toBeLessThan(fastest(known) * 2.5);
  });

  it('treats SQL in the login fields as data', async () => {
    const injection = await world.browser().post('/api/auth/login', {
      email: "x@example.test' OR '1'='1",
      password: "' OR '1'='1' --",
    });
    expect(injection.status).toBe(400);
    const inPassword = await world.browser().post('/api/auth/login', {
      email: uniqueEmail(),
      password: "' OR 1=1; DROP TABLE users; --",
    });
    expect(inPassword.status).toBe(401);
  });

  it('rotates the session id at sign-in: a planted pre-login id is dead afterwards (fixation)', async () => {
    const email = uniqueEmail();
    const password = strongPassword();
    const browser = world.browser();
    await browser.post('/api/auth/register', { email, password });
    await browser.post('/api/auth/verify-email', { token: await tokenFromMail(world, email) });
    // A guest session exists before sign-in (e.g. planted by an attacker).
    await browser.post('/api/auth/logout');
    const guest = world.browser();
    const planted = await guest.post('/api/auth/register', {
      email: uniqueEmail(),
      password: strongPassword(),
    });
    expect(planted.status).toBe(202);
    await guest.refreshCsrf();
    const before = guest.sid;
    const login = await guest.post('/api/auth/login', { email, password });
    expect(login.status).toBe(200);
    expect(guest.sid).toBeDefined();
    expect(guest.sid).not.toBe(before);
    const attacker = world.browser();
    attacker.sid = before;
    const stolen = await attacker.get('/api/account/profile');
    expect(stolen.status).toBe(401);
    const profile = await guest.get('/api/account/profile');
    expect(profile.body.email).toBe(email);
    // Customer sessions: 30 min idle / 12 h at most.
    const session = await world.t.app.get(SessionService).load(guest.sid);
    expect(session?.record.idleTimeoutSeconds).toBe(1800);
    expect((session?.record.absoluteExpiresAt ?? 0) - (session?.record.createdAt ?? 0)).toBe(
      12 * 3600_000,
    );
  });

  it('a second account signing in on the same browser ends the first one’s session and takes none of its state', async () => {
    const alice = await signedInCustomer(world);
    const bob = await signedInCustomer(world);
    const sessions = world.t.app.get(SessionService);
    const aliceSession = await sessions.load(alice.browser.sid);
    if (!aliceSession) throw new Error('no session');
    aliceSession.record.data['cart'] = 'alice-cart';
    await sessions.save(aliceSession);
    const aliceSid = alice.browser.sid;
    const login = await alice.browser.post('/api/auth/login', {
      email: bob.email,
      password: bob.password,
    });
    expect(login.status).toBe(200);
    expect((await sessions.load(alice.browser.sid))?.record.data).toEqual({});
    expect(await sessions.load(aliceSid)).toBeNull();
    expect((await alice.browser.get('/api/account/profile')).body.email).toBe(bob.email);
  });

  it('locks an account after repeated failures, with the same answer even for the right password', async () => {
    const { email, password } = await signedInCustomer(world);
    for (let i = 0; i < 4; i++) {
      expect(
        (await world.browser().post('/api/auth/login', { email, password: strongPassword() }))
          .status,
      ).toBe(401);
    }
    const locked = await world.browser().post('/api/auth/login', { email, password });
    expect(locked.status).toBe(401);
    expect(locked.body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('cannot be brute-forced by rotating X-Forwarded-For: the client address is the socket', async () => {
    const attacker = '192.0.2.77';
    let refused = 0;
    for (let i = 0; i < 14; i++) {
      const browser = world.browser(attacker);
      const response = await browser.post(
        '/api/auth/login',
        { email: uniqueEmail('spray'), password: strongPassword() },
        { headers: { 'x-forwarded-for': `10.0.${i}.${i + 1}` } },
      );
      if (response.status === 401) refused++;
    }
    expect(refused).toBe(14);
    // The per-IP lock now refuses even a valid sign-in from that address.
    const { email, password } = await signedInCustomer(world);
    const fromAttacker = await world.browser(attacker).post('/api/auth/login', { email, password });
    expect(fromAttacker.status).toBe(401);
  });

  it('refuses forged and expired session cookies', async () => {
    const forged = world.browser();
    forged.sid = 'A'.repeat(43);
    expect((await forged.get('/api/account/profile')).status).toBe(401);
    const { browser } = await signedInCustomer(world);
    const old = browser.sid;
    expect((await browser.post('/api/auth/logout')).status).toBe(204);
    const replay = world.browser();
    replay.sid = old;
    expect((await replay.get('/api/account/profile')).status).toBe(401);
  });
});
