import { describe, expect, it } from 'vitest';
import {
  MAIL_LOCALES,
  MAIL_TEMPLATE_NAMES,
  MailMessageError,
  validateMailMessage,
  type MailMessage,
} from './mail-message';
import { MAIL_LINK_PATHS, escapeHtml, renderMail } from './mail-templates';

const context = { publicBaseUrl: 'https://shop.example', shopName: 'Storefront' };
const TOKEN = 'A'.repeat(20) + '-_' + 'b'.repeat(30);
const AT = '2026-11-21T15:41:00.000Z';

/** A valid message of each template, with a hostile value in every free-text parameter. */
const HOSTILE = '<script>alert("x")</script> & \'quotes\'';
const SAMPLES: MailMessage[] = [
  {
    template: 'email-verification',
    locale: 'en',
    to: 'a@example.test',
    params: { token: TOKEN, expiresInMinutes: 1440, name: HOSTILE },
  },
  {
    template: 'password-reset',
    locale: 'en',
    to: 'a@example.test',
    params: { token: TOKEN, expiresInMinutes: 60, name: HOSTILE },
  },
  {
    template: 'email-change',
    locale: 'en',
    to: 'a@example.test',
    params: { token: TOKEN, expiresInMinutes: 60, name: HOSTILE },
  },
  {
    template: 'staff-invitation',
    locale: 'en',
    to: 'a@example.test',
    params: { token: TOKEN, expiresInMinutes: 4320, name: HOSTILE },
  },
  {
    template: 'email-changed',
    locale: 'en',
    to: 'a@example.test',
    params: { changedAt: AT, name: HOSTILE },
  },
  {
    template: 'password-changed',
    locale: 'en',
    to: 'a@example.test',
    params: { changedAt: AT, name: HOSTILE },
  },
  { template: 'account-exists', locale: 'en', to: 'a@example.test', params: { name: HOSTILE } },
  {
    template: 'new-sign-in',
    locale: 'en',
    to: 'a@example.test',
    params: { signedInAt: AT, device: HOSTILE, ipAddress: '203.0.113.9', name: HOSTILE },
  },
  {
    template: 'mfa-changed',
    locale: 'en',
    to: 'a@example.test',
    params: { change: 'passkey-added', changedAt: AT, name: HOSTILE },
  },
  {
    template: 'order-confirmation',
    locale: 'en',
    to: 'a@example.test',
    params: { orderNumber: 'SO-2026-0001', name: HOSTILE },
  },
];

describe('mail templates', () => {
  it('has a sample for every template', () => {
    expect(SAMPLES.map((s) => s.template).sort()).toEqual([...MAIL_TEMPLATE_NAMES].sort());
  });

  for (const sample of SAMPLES) {
    for (const locale of MAIL_LOCALES) {
      it(`renders ${sample.template} (${locale}) with every parameter escaped in HTML`, () => {
        const message = validateMailMessage({ ...sample, locale });
        const mail = renderMail(message.template, locale, message.params, context);
        expect(mail.subject).not.toMatch(/[\r\n]/);
        expect(mail.subject).toContain('Storefront');
        expect(mail.html).toContain(`<html lang="${locale}">`);
        // The hostile name never appears raw in the HTML, only escaped.
        expect(mail.html).not.toContain('<script>');
        expect(mail.html).toContain(
          '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;',
        );
        // Plain text carries the text as is (it is not HTML).
        expect(mail.text).toContain(HOSTILE);
        // Every link points into the configured storefront.
        for (const href of mail.html.matchAll(/href="([^"]*)"/g)) {
          expect(href[1]).toMatch(/^https:\/\/shop\.example\//);
        }
      });
    }
  }

  it('puts tokens in the link fragment, never in the path or query', () => {
    const mail = renderMail(
      'password-reset',
      'en',
      { token: TOKEN, expiresInMinutes: 60 },
      context,
    );
    const link = `https://shop.example/en${MAIL_LINK_PATHS.resetPassword}#token=${TOKEN}`;
    expect(mail.text).toContain(link);
    expect(mail.html).toContain(`href="${link}"`);
    expect(mail.text).not.toMatch(/\?token=/);
    expect(mail.text).toContain('expires in 1 hour');
  });

  it('links a guest to the order page with the order token in the fragment', () => {
    for (const locale of MAIL_LOCALES) {
      const mail = renderMail(
        'order-confirmation',
        locale,
        { orderNumber: 'SO-2026-0002', guestToken: TOKEN },
        context,
      );
      const link = `https://shop.example/${locale}${MAIL_LINK_PATHS.guestOrder}#token=${TOKEN}`;
      expect(mail.html).toContain(`href="${link}"`);
      expect(mail.text).not.toContain(MAIL_LINK_PATHS.order);
    }
  });

  it("opens every linked page in the mail's language (/en/… or /fr/…)", () => {
    for (const sample of SAMPLES) {
      for (const locale of MAIL_LOCALES) {
        const mail = renderMail(sample.template, locale, sample.params, context);
        const links = [...mail.html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
        expect(links.length, sample.template).toBeGreaterThan(0);
        for (const href of links) {
          expect(href).toMatch(new RegExp(`^https://shop\\.example/${locale}/`));
        }
      }
    }
  });

  it('writes French in French', () => {
    const mail = renderMail(
      'email-verification',
      'fr',
      { token: TOKEN, expiresInMinutes: 1440 },
      context,
    );
    expect(mail.subject).toBe('Confirmez votre adresse e-mail — Storefront');
    expect(mail.text).toContain('expire dans 1 jour');
    const changed = renderMail('password-changed', 'fr', { changedAt: AT }, context);
    expect(changed.text).toContain('21 novembre 2026');
  });

  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

describe('validateMailMessage', () => {
  it('refuses a message that does not match its template, naming fields but not values', () => {
    const bad = {
      template: 'password-reset',
      locale: 'de',
      to: 'not-an-address',
      params: { token: 'short', expiresInMinutes: 60, extra: 'secret-value' },
    } as unknown as MailMessage;
    let error: unknown;
    try {
      validateMailMessage(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MailMessageError);
    const issues = (error as MailMessageError).issues.join('\n');
    expect(issues).toMatch(/^locale/m);
    expect(issues).toMatch(/^to/m);
    expect(issues).toMatch(/params\.token/);
    expect(issues).not.toContain('secret-value');
    expect(issues).not.toContain('not-an-address');
  });

  it('refuses line breaks in single-line parameters (header and log safety)', () => {
    expect(() =>
      validateMailMessage({
        template: 'new-sign-in',
        locale: 'en',
        to: 'a@example.test',
        params: { signedInAt: AT, device: 'Firefox\r\nBcc: victim@example.test' },
      }),
    ).toThrow(MailMessageError);
  });
});
