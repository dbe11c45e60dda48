import { randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import type { Logger } from 'pino';
import { expect } from 'vitest';
import { StaffService } from '../../src/identity/staff.service';
import { MAIL_LINK_PATHS } from '../../src/mail/mail-templates';
import { Browser } from '../support/browser';
import { startSmtpListener, type SmtpListener } from '../support/smtp-listener';
import { startTestApp, type TestApp } from '../support/test-app';

/** A running app with a real SMTP listener its mail worker delivers to. */
export interface IdentityWorld {
  t: TestApp;
  smtp: SmtpListener;
  browser(ip?: string): Browser;
  close(): Promise<void>;
}

/** Starts the API wired to a real local SMTP listener. */
export async function startIdentityWorld(
  env: Record<string, string> = {},
  logger?: Logger,
): Promise<IdentityWorld> {
  const smtp = await startSmtpListener();
  const t = await startTestApp({
    ...(logger ? { logger } : {}),
    env: {
      ...smtp.env,
      MAIL_WORKER: 'inline',
      RATE_LIMIT_AUTH: '1000/60',
      ...env,
    },
  });
  return {
    t,
    smtp,
    browser: (ip?: string) => new Browser(t.app, ip ?? randomIp()),
    close: async () => {
      await t.close();
      await smtp.close();
    },
  };
}

/** A fresh documentation-range client address. */
export function randomIp(): string {
  const b = randomBytes(2);
  return `198.51.${b[0] ?? 0}.${((b[1] ?? 0) % 250) + 1}`;
}

/** A unique address for one test. */
export function uniqueEmail(tag = 'user'): string {
  return `${tag}-${randomBytes(5).toString('hex')}@example.test`;
}

/** A password that passes the policy (long, random, not on any list). */
export function strongPassword(): string {
  return `correct horse ${randomBytes(8).toString('hex')} staple`;
}

/** Which emailed link: the page path the link opens. */
export type MailLink = 'verify-email' | 'reset-password' | 'confirm-email-change' | 'staff-invite';

const LINK_PATHS: Record<MailLink, string> = {
  'verify-email': MAIL_LINK_PATHS.verifyEmail,
  'reset-password': MAIL_LINK_PATHS.resetPassword,
  'confirm-email-change': MAIL_LINK_PATHS.confirmEmailChange,
  'staff-invite': MAIL_LINK_PATHS.acceptStaffInvitation,
};

/**
 * The token of the newest emailed `link` to `to`, waiting for the mail worker to deliver it.
 */
export async function tokenFromMail(
  world: IdentityWorld,
  to: string,
  link: MailLink = 'verify-email',
): Promise<string> {
  const pattern = new RegExp(`${LINK_PATHS[link]}#token=([A-Za-z0-9_-]{43,})`);
  const mail = await world.smtp.waitFor((m) => m.to.includes(to) && pattern.test(m.text));
  const match = pattern.exec(mail.text);
  expect(match, 'the mail carries a link with a token').not.toBeNull();
  return match?.[1] ?? '';
}

/** Registers and verifies a customer; returns a signed-in browser. */
export async function signedInCustomer(
  world: IdentityWorld,
  email = uniqueEmail('customer'),
  password = strongPassword(),
): Promise<{ browser: Browser; email: string; password: string }> {
  const browser = world.browser();
  expect((await browser.post('/api/auth/register', { email, password })).status).toBe(202);
  const token = await tokenFromMail(world, email);
  expect((await browser.post('/api/auth/verify-email', { token })).status).toBe(204);
  const login = await browser.post('/api/auth/login', { email, password });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  expect(login.body.status).toBe('authenticated');
  return { browser, email, password };
}

/** The current TOTP code of a base32 secret (optionally `offset` steps away). */
export function totpCode(secret: string, offset = 0): string {
  const totp = new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    digits: 6,
    period: 30,
  });
  return totp.generate({ timestamp: Date.now() + offset * 30_000 });
}

/**
 * A staff member through the real flow: invited (bootstrap or by an admin), password chosen from
 * the emailed link, signed in, TOTP enrolled as forced at first sign-in. Returns a fully signed-in
 * browser and the TOTP secret.
 */
export async function signedInStaff(
  world: IdentityWorld,
  roles: string[],
): Promise<{ browser: Browser; email: string; password: string; secret: string; id: string }> {
  const email = uniqueEmail('staff');
  const password = strongPassword();
  const staff = world.t.app.get(StaffService);
  const created = await staff.create(
    { actor: { type: 'system', id: 'test' } },
    {
      email,
      roles: roles as ['administrator'],
    },
  );
  const token = await tokenFromMail(world, email, 'staff-invite');
  const browser = world.browser();
  expect((await browser.post('/api/auth/staff-invite/complete', { token, password })).status).toBe(
    204,
  );
  const login = await browser.post('/api/auth/login', { email, password });
  expect(login.body.status).toBe('mfa-enrolment-required');
  const enrol = await browser.post('/api/account/mfa/totp');
  expect(enrol.status, JSON.stringify(enrol.body)).toBe(201);
  const secret = enrol.body.secret as string;
  const confirm = await browser.post('/api/account/mfa/totp/confirm', { code: totpCode(secret) });
  expect(confirm.status, JSON.stringify(confirm.body)).toBe(200);
  return { browser, email, password, secret, id: created.id };
}
