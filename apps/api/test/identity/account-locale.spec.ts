import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MAIL_LINK_PATHS } from '../../src/mail/mail-templates';
import type { Browser } from '../support/browser';
import type { ReceivedMail } from '../support/smtp-listener';
import {
  signedInCustomer,
  startIdentityWorld,
  strongPassword,
  uniqueEmail,
  type IdentityWorld,
} from './identity-fixture';

/*
 * The language of account emails: each account has one ('en' or 'fr'), chosen at registration
 * (the sign-up page's language) and changeable in the profile; every account email is written in
 * it and links to pages in it. (Order emails use the order's language: see the checkout tests.)
 */

let world: IdentityWorld;

beforeAll(async () => {
  world = await startIdentityWorld();
});
afterAll(async () => {
  await world.close();
});

/** The newest mail to `to` whose subject matches, waiting for the worker to deliver it. */
function mailTo(to: string, subject: RegExp): Promise<ReceivedMail> {
  return world.smtp.waitFor((m) => m.to.includes(to) && subject.test(m.subject));
}

/** `PATCH /api/account/profile` as the signed-in browser. */
function patchProfile(browser: Browser, body: unknown) {
  return browser.request('PATCH', '/api/account/profile', { body });
}

/** Asserts the mail is written in `locale` and that its link to `path` opens a page in it. */
function expectLanguage(mail: ReceivedMail, locale: 'en' | 'fr', path: string): void {
  expect(mail.html).toContain(`<html lang="${locale}">`);
  const links = [...mail.text.matchAll(/https?:\/\/[^\s"<>]+/g)].map((m) => new URL(m[0]).pathname);
  expect(links).toContain(`/${locale}${path}`);
  for (const link of links) expect(link.startsWith(`/${locale}/`), link).toBe(true);
}

describe('account email language', () => {
  it('writes the verification mail of an account registered in French in French, with /fr/ links', async () => {
    const email = uniqueEmail('fr');
    const browser = world.browser();
    const response = await browser.post('/api/auth/register', {
      email,
      password: strongPassword(),
      locale: 'fr',
    });
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    const mail = await mailTo(email, /^Confirmez votre adresse e-mail/);
    expectLanguage(mail, 'fr', MAIL_LINK_PATHS.verifyEmail);
    // Registering the address again from an English page: the notice is about the existing
    // account, so it is in that account's language.
    await world.browser().post('/api/auth/register', {
      email,
      password: strongPassword(),
      locale: 'en',
    });
    await mailTo(email, /^Vous avez déjà un compte/);
  });

  it('registers in English when no locale is sent', async () => {
    const { browser, email } = await signedInCustomer(world);
    expect((await browser.get('/api/account/profile')).body.locale).toBe('en');
    const mail = await mailTo(email, /^Confirm your email address/);
    expectLanguage(mail, 'en', MAIL_LINK_PATHS.verifyEmail);
  });

  it('sends the password reset of a French account in French', async () => {
    const email = uniqueEmail('fr-reset');
    const password = strongPassword();
    await world.browser().post('/api/auth/register', { email, password, locale: 'fr' });
    await mailTo(email, /^Confirmez votre adresse e-mail/);
    // The reset request itself says nothing about the language (it comes from any page).
    expect((await world.browser().post('/api/auth/password-reset', { email })).status).toBe(202);
    const mail = await mailTo(email, /^Réinitialisez votre mot de passe/);
    expectLanguage(mail, 'fr', MAIL_LINK_PATHS.resetPassword);
  });

  it('changes the language of the next mails when the profile locale changes (en → fr)', async () => {
    const { browser, email, password } = await signedInCustomer(world);
    await patchProfile(browser, { displayName: 'Camille' });
    const changed = await patchProfile(browser, { locale: 'fr' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.locale).toBe('fr');
    // A field left out keeps its value.
    expect(changed.body.displayName).toBe('Camille');
    expect((await browser.get('/api/account/profile')).body.locale).toBe('fr');

    const next = strongPassword();
    const ok = await browser.post('/api/account/password', {
      currentPassword: password,
      newPassword: next,
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const notice = await mailTo(email, /^Votre mot de passe a été modifié/);
    expect(notice.html).toContain('<html lang="fr">');

    await world.browser().post('/api/auth/password-reset', { email });
    expectLanguage(
      await mailTo(email, /^Réinitialisez votre mot de passe/),
      'fr',
      MAIL_LINK_PATHS.resetPassword,
    );

    // And back: the account's language is the one stored now, not the one it was created with.
    const back = await patchProfile(browser, { locale: 'en', displayName: null });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ locale: 'en', displayName: null });
  });

  it('refuses a language it does not write in, and an empty change, with 400 VALIDATION_FAILED', async () => {
    const { browser } = await signedInCustomer(world);
    for (const body of [{ locale: 'de' }, { locale: 'FR' }, { locale: null }, {}]) {
      const response = await patchProfile(browser, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await browser.get('/api/account/profile')).body.locale).toBe('en');

    const email = uniqueEmail('de');
    const register = await world
      .browser()
      .post('/api/auth/register', { email, password: strongPassword(), locale: 'de' });
    expect(register.status).toBe(400);
    expect(register.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('keeps the column to the two languages in the database too (NOT NULL, CHECK)', async () => {
    const owner = new pg.Client({ connectionString: inject('testEnv').ownerDatabaseUrl });
    await owner.connect();
    try {
      const { rows } = await owner.query<{ is_nullable: string; column_default: string }>(
        `SELECT is_nullable, column_default FROM information_schema.columns
          WHERE table_name = 'users' AND column_name = 'locale'`,
      );
      expect(rows).toEqual([{ is_nullable: 'NO', column_default: "'en'::character varying" }]);
      await owner.query('BEGIN');
      await expect(owner.query(`UPDATE users SET locale = 'de'`)).rejects.toThrow(
        /users_locale_check/,
      );
    } finally {
      await owner.query('ROLLBACK');
      await owner.end();
    }
  });
});
