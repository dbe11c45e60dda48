import { describe, expect, it } from 'vitest';
import { ConfigError, SECRET_VARIABLES, loadConfig } from '../config/app-config';
import { createMailTransport } from './mail-transport';

/** Problems about mail variables only (other contexts add their own production requirements). */
function mailProblems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems.filter((p) => /^(MAIL_|SMTP_|PUBLIC_BASE_URL)/.test(p));
    }
    throw error;
  }
  return [];
}

const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://app:pw@db:5432/shop',
  REDIS_URL: 'rediss://:token@cache:6379',
};
const PRODUCTION_MAIL = {
  SMTP_URL: 'smtps://mailer:s3cret-smtp-password@smtp.example:465',
  MAIL_FROM: 'Storefront <no-reply@shop.example>',
  PUBLIC_BASE_URL: 'https://shop.example',
};

describe('mail configuration', () => {
  it('writes .eml files in development with no variables, and sends inline', () => {
    const config = loadConfig({});
    expect(config.mail.transport).toEqual({ kind: 'file', dir: '.data/mail' });
    expect(config.mail.worker).toBe('inline');
    expect(config.mail.publicBaseUrl).toBe('http://127.0.0.1:3000');
  });

  it('refuses the file transport in production, explicit or by default', () => {
    expect(mailProblems({ ...PRODUCTION, ...PRODUCTION_MAIL, MAIL_TRANSPORT: 'file' })).toEqual([
      expect.stringMatching(/^MAIL_TRANSPORT: production sends by SMTP/),
    ]);
    const { SMTP_URL: _unused, ...withoutSmtp } = PRODUCTION_MAIL;
    expect(mailProblems({ ...PRODUCTION, ...withoutSmtp })).toEqual([
      expect.stringMatching(/^MAIL_TRANSPORT: production sends by SMTP/),
    ]);
  });

  it('requires a sender and an https base URL for links in production', () => {
    expect(mailProblems({ ...PRODUCTION, SMTP_URL: PRODUCTION_MAIL.SMTP_URL })).toEqual([
      expect.stringMatching(/^MAIL_FROM: required in production/),
      expect.stringMatching(/^PUBLIC_BASE_URL: required in production/),
    ]);
    expect(
      mailProblems({ ...PRODUCTION, ...PRODUCTION_MAIL, PUBLIC_BASE_URL: 'http://shop.example' }),
    ).toEqual([expect.stringMatching(/^PUBLIC_BASE_URL: must be https/)]);
    expect(mailProblems({ ...PRODUCTION, ...PRODUCTION_MAIL })).toEqual([]);
  });

  it('lets a local catcher run without TLS outside production, and honours SMTP_TLS', () => {
    const tlsOf = (env: NodeJS.ProcessEnv) => {
      try {
        const t = loadConfig(env).mail.transport;
        return t.kind === 'smtp' ? t.tls : undefined;
      } catch {
        return undefined;
      }
    };
    expect(tlsOf({ SMTP_URL: 'smtp://127.0.0.1:1025' })).toBe('opportunistic');
    expect(tlsOf({ SMTP_URL: 'smtp://127.0.0.1:1025', SMTP_TLS: 'required' })).toBe('required');
    expect(mailProblems({ SMTP_URL: 'smtp://127.0.0.1:1025', SMTP_TLS: 'none' })).toEqual([
      expect.stringMatching(/^SMTP_TLS:/),
    ]);
  });

  it('refuses SMTP URLs carrying options (nodemailer would read tls.* from the query)', () => {
    expect(
      mailProblems({ SMTP_URL: 'smtp://smtp.example:587/?tls.rejectUnauthorized=false' }),
    ).toEqual([expect.stringMatching(/^SMTP_URL: must not carry a query/)]);
    expect(mailProblems({ SMTP_URL: 'http://smtp.example' })).toEqual([
      expect.stringMatching(/^SMTP_URL: must be a URL with scheme smtp: or smtps:/),
    ]);
  });

  it('treats SMTP_URL as a secret and never echoes it', () => {
    expect(SECRET_VARIABLES.has('SMTP_URL')).toBe(true);
    const problems = mailProblems({ SMTP_URL: 'smtp://u:hunter2-smtp@smtp.example/?x=1' });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('gives the API with MAIL_WORKER=off and no SMTP_URL a transport that sends nothing', async () => {
    const config = loadConfig({ MAIL_WORKER: 'off', MAIL_TRANSPORT: 'smtp' });
    const transport = createMailTransport(config.mail);
    expect(transport.kind).toBe('none');
    await expect(
      transport.send({
        id: 'x',
        from: 'a@b.example',
        to: 'c@d.example',
        subject: '',
        text: '',
        html: '',
      }),
    ).rejects.toMatchObject({ code: 'ENOTRANSPORT' });
    transport.close();
  });

  it('accepts a sender with or without a display name, never with a line break', () => {
    expect(mailProblems({ MAIL_FROM: 'no-reply@shop.example' })).toEqual([]);
    expect(mailProblems({ MAIL_FROM: 'Ma Boutique <no-reply@shop.example>' })).toEqual([]);
    expect(mailProblems({ MAIL_FROM: 'Shop <a@b.example>\r\nBcc: x@y.example' })).toEqual([
      expect.stringMatching(/^MAIL_FROM:/),
    ]);
  });
});
