import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLog, type CapturedLog } from '../audit/log-capture';
import {
  signedInCustomer,
  signedInStaff,
  startIdentityWorld,
  strongPassword,
  totpCode,
  type IdentityWorld,
} from './identity-fixture';

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

/** Security-event lines named `name` about user `userId` (or any user). */
function events(name: string, userId?: string): Line[] {
  return (log.lines() as Line[]).filter(
    (l) => l.securityEvent === name && (userId === undefined || l.target?.id === userId),
  );
}

async function userIdOf(browser: { get(url: string): Promise<{ body: { id: string } }> }) {
  return (await browser.get('/api/account/profile')).body.id;
}

describe('security events of the identity flows (one structured line each, no personal data)', () => {
  it('login success and failure, lockout, logout (session revoked)', async () => {
    const { browser, email, password } = await signedInCustomer(world);
    const id = await userIdOf(browser);
    expect(events('auth.login.succeeded', id)).toHaveLength(1);
    for (let i = 0; i < 3; i++) {
      await world.browser().post('/api/auth/login', { email, password: strongPassword() });
    }
    expect(events('auth.login.failed', id).map((l) => l.details)).toContainEqual({
      method: 'password',
      reason: 'invalid_credentials',
    });
    expect(events('auth.lockout.started', id)).toHaveLength(1);
    await world.browser().post('/api/auth/login', { email, password });
    expect(events('auth.login.failed', id).map((l) => l.details)).toContainEqual({
      method: 'password',
      reason: 'locked',
    });
    await browser.post('/api/auth/logout');
    // Exactly one line per revocation (the session service reports it; callers pass the reason).
    expect(events('session.revoked', id).map((l) => l.details)).toEqual([
      { scope: 'one', count: 1, reason: 'logout' },
    ]);
    // Never the address or the password, in any line.
    expect(log.text()).not.toContain(email);
    expect(log.text()).not.toContain(password);
  });

  it('MFA enrolment, challenge success and failure, password change, email change', async () => {
    const { browser, email, password } = await signedInCustomer(world);
    const id = await userIdOf(browser);
    const enrol = await browser.post('/api/account/mfa/totp');
    await browser.post('/api/account/mfa/totp/confirm', {
      code: totpCode(enrol.body.secret as string),
    });
    expect(events('auth.mfa.enrolled', id)).toHaveLength(1);

    const next = world.browser();
    await next.post('/api/auth/login', { email, password });
    await next.post('/api/auth/mfa', { method: 'totp', code: '000000' });
    expect(events('auth.mfa.challenge.failed', id)).toHaveLength(1);
    await next.post('/api/auth/mfa', {
      method: 'totp',
      code: totpCode(enrol.body.secret as string, 1),
    });
    expect(events('auth.mfa.challenge.succeeded', id)).toHaveLength(1);

    const changed = await next.post('/api/account/password', {
      currentPassword: password,
      newPassword: strongPassword(),
      signOutOtherSessions: true,
    });
    expect(changed.status).toBe(200);
    expect(events('auth.password.changed', id)).toHaveLength(1);
    expect(events('session.revoked', id).map((l) => l.details)).toContainEqual(
      expect.objectContaining({ reason: 'password_changed' }),
    );
    expect((await next.post('/api/account/email', { newEmail: 'moved@example.test' })).status).toBe(
      202,
    );
    expect(events('account.email.change.requested', id)).toHaveLength(1);
    expect(log.text()).not.toContain('moved@example.test');
  });

  it('permission denial and CSRF refusals', async () => {
    const support = await signedInStaff(world, ['support']);
    await support.browser.get('/api/admin/staff');
    expect(
      events('access.denied').some((l) => (l.details as { reason: string }).reason === 'forbidden'),
    ).toBe(true);
    const { browser } = await signedInCustomer(world);
    await browser.request('DELETE', '/api/account/sessions', { withoutCsrf: true });
    await browser.delete('/api/account/sessions', { headers: { 'sec-fetch-site': 'cross-site' } });
    const reasons = events('csrf.rejected').map((l) => (l.details as { reason: string }).reason);
    expect(reasons).toContain('missing_token');
    expect(reasons).toContain('cross_site');
  });
});
