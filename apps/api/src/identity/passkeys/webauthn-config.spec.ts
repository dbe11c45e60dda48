import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/app-config';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig({ NODE_ENV: 'test', ...env });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

const webauthnProblems = (env: Record<string, string>) =>
  problemsOf(env).filter((p) => p.startsWith('WEBAUTHN_'));

describe('passkeys (WebAuthn) configuration', () => {
  it('defaults to localhost and accepts ceremonies only from the public origins on it', () => {
    const { webauthn } = loadConfig({ NODE_ENV: 'test' }).identity;
    expect(webauthn).toEqual({
      rpId: 'localhost',
      rpName: 'Storefront',
      // http://127.0.0.1:* are public origins of the API, but no passkey can be bound to an IP.
      origins: ['http://localhost:3333', 'http://localhost:3000'],
    });
  });

  it('binds passkeys to the shop’s domain: its origin and subdomains, nothing else', () => {
    const { webauthn } = loadConfig({
      NODE_ENV: 'test',
      WEBAUTHN_RP_ID: 'shop.example',
      WEBAUTHN_RP_NAME: 'Maison Lumière',
      PUBLIC_ORIGINS:
        'https://shop.example,https://www.shop.example,https://evilshop.example,https://back-office.other.example',
    }).identity;
    expect(webauthn).toEqual({
      rpId: 'shop.example',
      rpName: 'Maison Lumière',
      origins: ['https://shop.example', 'https://www.shop.example'],
    });
  });

  it('requires an explicit RP ID in production', () => {
    const production = {
      NODE_ENV: 'production',
      PUBLIC_ORIGINS: 'https://shop.example',
    };
    expect(webauthnProblems(production)).toEqual([
      expect.stringMatching(/^WEBAUTHN_RP_ID: required in production/),
    ]);
    expect(webauthnProblems({ ...production, WEBAUTHN_RP_ID: 'shop.example' })).toEqual([]);
  });

  it('refuses an RP ID that no public origin is on, and anything but a domain name', () => {
    expect(
      webauthnProblems({ WEBAUTHN_RP_ID: 'shop.example', PUBLIC_ORIGINS: 'https://other.example' }),
    ).toEqual([
      expect.stringMatching(/^WEBAUTHN_RP_ID: no PUBLIC_ORIGINS origin is on this domain/),
    ]);
    for (const bad of ['https://shop.example', '127.0.0.1', 'Shop.Example', 'shop.example/']) {
      expect(webauthnProblems({ WEBAUTHN_RP_ID: bad }), bad).toEqual([
        expect.stringMatching(/^WEBAUTHN_RP_ID: must be a lower-case domain name/),
      ]);
    }
  });
});
