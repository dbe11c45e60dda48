import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaffService } from '../../src/identity/staff.service';
import { SessionService } from '../../src/session/session.service';
import {
  signedInCustomer,
  signedInStaff,
  startIdentityWorld,
  strongPassword,
  tokenFromMail,
  totpCode,
  uniqueEmail,
  type IdentityWorld,
} from './identity-fixture';

let world: IdentityWorld;

beforeAll(async () => {
  world = await startIdentityWorld();
});
afterAll(async () => {
  await world.close();
});

describe('TOTP for customers (optional)', () => {
  it('enrols, then requires a code at sign-in, refusing a replayed code', async () => {
    const { browser, email, password } = await signedInCustomer(world);
    const enrol = await browser.post('/api/account/mfa/totp');
    expect(enrol.status).toBe(201);
    const secret = enrol.body.secret as string;
    expect(enrol.body.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    const confirm = await browser.post('/api/account/mfa/totp/confirm', { code: totpCode(secret) });
    expect(confirm.status).toBe(200);
    const recoveryCodes = confirm.body.recoveryCodes as string[];
    expect(recoveryCodes.length).toBeGreaterThanOrEqual(10);

    const next = world.browser();
    const login = await next.post('/api/auth/login', { email, password });
    expect(login.body.status).toBe('mfa-required');
    // Not signed in yet: the password alone opens nothing.
    expect((await next.get('/api/account/profile')).body.error.code).toBe('MFA_REQUIRED');
    const code = totpCode(secret, 1);
    expect((await next.post('/api/auth/mfa', { method: 'totp', code })).status).toBe(200);
    expect((await next.get('/api/account/profile')).status).toBe(200);

    const replay = world.browser();
    await replay.post('/api/auth/login', { email, password });
    const replayed = await replay.post('/api/auth/mfa', { method: 'totp', code });
    expect(replayed.status).toBe(401);
    expect(replayed.body.error.code).toBe('INVALID_MFA_CODE');

    const recovery = recoveryCodes[0] ?? '';
    expect(
      (await replay.post('/api/auth/mfa', { method: 'recovery-code', code: recovery })).status,
    ).toBe(200);
    const again = world.browser();
    await again.post('/api/auth/login', { email, password });
    expect(
      (await again.post('/api/auth/mfa', { method: 'recovery-code', code: recovery })).status,
    ).toBe(401);
  });

  it('ends a partial sign-in after five wrong codes', async () => {
    const { browser, email, password } = await signedInCustomer(world);
    const enrol = await browser.post('/api/account/mfa/totp');
    await browser.post('/api/account/mfa/totp/confirm', {
      code: totpCode(enrol.body.secret as string),
    });
    const guesser = world.browser();
    await guesser.post('/api/auth/login', { email, password });
    for (let i = 0; i < 5; i++) {
      await guesser.post('/api/auth/mfa', { method: 'totp', code: '000000' });
    }
    const after = await guesser.post('/api/auth/mfa', {
      method: 'totp',
      code: totpCode(enrol.body.secret as string, 1),
    });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('UNAUTHENTICATED');
  });
});

describe('staff accounts', () => {
  it('must enrol a second factor at first sign-in before reaching anything else', async () => {
    const email = uniqueEmail('staff');
    const password = strongPassword();
    await world.t.app.get(StaffService).create(
      { actor: { type: 'system', id: 'test' } },
      {
        email,
        roles: ['support'],
      },
    );
    const token = await tokenFromMail(world, email, 'staff-invite');
    const browser = world.browser();
    const weak = await browser.post('/api/auth/staff-invite/complete', {
      token,
      password: 'fourteen-chars',
    });
    expect(weak.status).toBe(422);
    expect(
      (await browser.post('/api/auth/staff-invite/complete', { token, password })).status,
    ).toBe(204);
    const login = await browser.post('/api/auth/login', { email, password });
    expect(login.body.status).toBe('mfa-enrolment-required');
    const blocked = await browser.get('/api/account/profile');
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('MFA_ENROLMENT_REQUIRED');
    // Staff cookies are SameSite=Strict, and staff sessions last 15 min idle / 8 h at most.
    expect(String(login.headers['set-cookie'])).toMatch(/SameSite=Strict/i);
    const session = await world.t.app.get(SessionService).load(browser.sid);
    expect(session?.record.idleTimeoutSeconds).toBe(900);
    const lifetime = (session?.record.absoluteExpiresAt ?? 0) - (session?.record.createdAt ?? 0);
    expect(lifetime).toBeGreaterThan(8 * 3600_000 - 5_000);
    expect(lifetime).toBeLessThanOrEqual(8 * 3600_000);
  });

  it('holds only its role’s permissions (deny by default) and cannot drop its second factor', async () => {
    const support = await signedInStaff(world, ['support']);
    expect((await support.browser.get('/api/account/profile')).status).toBe(200);
    const admin = await support.browser.get('/api/admin/staff');
    expect(admin.status).toBe(403);
    expect(admin.body.error.code).toBe('FORBIDDEN');
    expect((await support.browser.delete('/api/account/mfa/totp')).status).toBe(403);
    const customer = await signedInCustomer(world);
    expect((await customer.browser.get('/api/admin/staff')).status).toBe(403);
    expect((await world.browser().get('/api/admin/staff')).status).toBe(401);
  });

  it('lets an administrator change roles, which ends the member’s sessions at once', async () => {
    const admin = await signedInStaff(world, ['administrator']);
    const member = await signedInStaff(world, ['support']);
    const changed = await admin.browser.put(`/api/admin/staff/${member.id}/roles`, {
      roles: ['order-manager'],
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.roles).toEqual(['order-manager']);
    expect((await member.browser.get('/api/account/profile')).status).toBe(401);
    const rows = await world.t.app
      .get(DataSource)
      .query<Array<{ role: string }>>(`SELECT role FROM user_roles WHERE user_id = $1`, [
        member.id,
      ]);
    expect(rows.map((r) => r.role)).toEqual(['order-manager']);
  });

  it('refuses role changes from a non-administrator and leaves the roles unchanged', async () => {
    const manager = await signedInStaff(world, ['order-manager']);
    const member = await signedInStaff(world, ['support']);
    const attempt = await manager.browser.put(`/api/admin/staff/${member.id}/roles`, {
      roles: ['administrator'],
    });
    expect(attempt.status).toBe(403);
    const rows = await world.t.app
      .get(DataSource)
      .query<Array<{ role: string }>>(`SELECT role FROM user_roles WHERE user_id = $1`, [
        member.id,
      ]);
    expect(rows.map((r) => r.role)).toEqual(['support']);
  });

  it('disabling an account ends its sessions and its sign-in', async () => {
    const admin = await signedInStaff(world, ['administrator']);
    const { browser, email, password } = await signedInCustomer(world);
    const users = await world.t.app
      .get(DataSource)
      .query<Array<{ id: string }>>(`SELECT id FROM users WHERE email_index = $1`, [
        world.t.app
          .get((await import('../../src/identity/users.repository')).UsersRepository)
          .emailIndexOf(email),
      ]);
    const id = users[0]?.id ?? '';
    expect(
      (await admin.browser.put(`/api/admin/users/${id}/status`, { status: 'disabled' })).status,
    ).toBe(200);
    expect((await browser.get('/api/account/profile')).status).toBe(401);
    const login = await world.browser().post('/api/auth/login', { email, password });
    expect(login.status).toBe(401);
    expect(login.body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('bootstraps exactly one administrator, never twice', async () => {
    const staff = world.t.app.get(StaffService);
    const dataSource = world.t.app.get(DataSource);
    const admins = async () =>
      (await dataSource.query<unknown[]>(`SELECT 1 FROM user_roles WHERE role = 'administrator'`))
        .length;
    // The run's database is shared by the test files: bootstrap when no administrator exists yet.
    if ((await admins()) === 0) await staff.bootstrapAdministrator(uniqueEmail('root'));
    const before = await admins();
    await expect(staff.bootstrapAdministrator(uniqueEmail('root'))).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await admins()).toBe(before);
  });
});
