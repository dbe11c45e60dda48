import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELD_CIPHER, type FieldCipher } from '../../src/privacy/encryption/field-cipher';
import { createScratchDatabase } from '../audit/scratch-database';
import { startLocalKms } from '../support/local-kms';
import { startTestApp, type TestApp } from '../support/test-app';

describe('OpenAPI description', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('is generated from the code and describes every route with its contract', async () => {
    const response = await request(t.app.getHttpServer()).get('/api/openapi.json').expect(200);
    const spec = response.body as {
      paths: Record<
        string,
        Record<string, { parameters?: { name: string }[]; responses: Record<string, unknown> }>
      >;
    };
    expect(Object.keys(spec.paths).sort()).toEqual([
      '/api/account/addresses',
      '/api/account/addresses/{id}',
      '/api/account/email',
      '/api/account/mfa/recovery-codes',
      '/api/account/mfa/totp',
      '/api/account/mfa/totp/confirm',
      '/api/account/orders',
      '/api/account/orders/{id}',
      '/api/account/passkeys',
      '/api/account/passkeys/registration/options',
      '/api/account/passkeys/{id}',
      '/api/account/password',
      '/api/account/profile',
      '/api/account/sessions',
      '/api/account/sessions/{id}',
      '/api/admin/audit-events',
      '/api/admin/orders',
      '/api/admin/orders/{id}',
      '/api/admin/orders/{id}/refunds',
      '/api/admin/orders/{id}/status',
      '/api/admin/staff',
      '/api/admin/staff/{id}/roles',
      '/api/admin/users/{id}/status',
      '/api/auth/confirm-email-change',
      '/api/auth/login',
      '/api/auth/logout',
      '/api/auth/mfa',
      '/api/auth/mfa/passkey',
      '/api/auth/mfa/passkey/options',
      '/api/auth/passkey',
      '/api/auth/passkey/options',
      '/api/auth/password-reset',
      '/api/auth/password-reset/complete',
      '/api/auth/reauthenticate',
      '/api/auth/reauthenticate/passkey',
      '/api/auth/reauthenticate/passkey/options',
      '/api/auth/register',
      '/api/auth/session',
      '/api/auth/staff-invite/complete',
      '/api/auth/verify-email',
      '/api/cart',
      '/api/cart/coupon',
      '/api/cart/lines',
      '/api/cart/lines/{id}',
      '/api/cart/shipping-method',
      '/api/categories',
      '/api/checkout',
      '/api/checkout/orders/{id}',
      '/api/csp-reports',
      '/api/health/live',
      '/api/health/ready',
      '/api/orders/guest-access',
      '/api/payments/development/intents/{id}/authenticate',
      '/api/payments/development/intents/{id}/confirm',
      '/api/payments/stripe/webhook',
      '/api/products',
      '/api/products/{slug}',
    ]);
    const listing = spec.paths['/api/products']!.get!;
    expect(listing.parameters?.map((p) => p.name).sort()).toEqual(
      [
        'category',
        'cursor',
        'facet',
        'inStock',
        'limit',
        'maxPrice',
        'minPrice',
        'q',
        'sort',
      ].sort(),
    );
    expect(Object.keys(listing.responses).sort()).toEqual(['200', '400', '429']);
    expect(JSON.stringify(listing.responses['200'])).toContain('nextCursor');
  });

  it('serves a docs page with its own tight CSP', async () => {
    const response = await request(t.app.getHttpServer()).get('/api/docs').redirects(1);
    expect(response.status).toBe(200);
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).not.toContain('unsafe-eval');
  });
});

describe('in production', () => {
  it('boots on the production configuration (field keys wrapped by KMS) and serves no API description', async () => {
    // The real AWS SDK talks to a KMS-compatible server on a local socket.
    const kms = await startLocalKms();
    // A database of its own: the run's shared one holds data keys wrapped by the local provider,
    // which production rightly cannot unwrap.
    const scratch = await createScratchDatabase();
    const saved = { ...process.env };
    Object.assign(process.env, kms.env);
    const t = await startTestApp({
      env: {
        NODE_ENV: 'production',
        DATABASE_URL:
          scratch.config.database.kind === 'postgres' ? scratch.config.database.url : '',
        PUBLIC_ORIGINS: 'https://shop.example',
        WEBAUTHN_RP_ID: 'shop.example',
        // Production refuses the public development keys and the local key provider.
        AUDIT_HMAC_KEY: 'openapi-test-audit-chain-key-0123456789',
        LOG_PSEUDONYM_KEY: 'openapi-test-pseudonym-key-0123456789',
        FIELD_ENCRYPTION_PROVIDER: 'kms',
        FIELD_ENCRYPTION_KMS_KEY_ID: 'alias/storefront-field-encryption',
        BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
        // Production sends mail by SMTP from a named sender, with https links.
        SMTP_URL: 'smtp://127.0.0.1:2525',
        MAIL_FROM: 'Storefront <no-reply@shop.example>',
        PUBLIC_BASE_URL: 'https://shop.example',
        MAIL_WORKER: 'off',
        // Production takes payments through Stripe, with live keys (no call is made at boot).
        STRIPE_SECRET_KEY: `rk_live_${'a'.repeat(24)}`,
        STRIPE_WEBHOOK_SECRET: `whsec_${'b'.repeat(32)}`,
        STRIPE_PUBLISHABLE_KEY: `pk_live_${'c'.repeat(24)}`,
      },
    });
    try {
      await request(t.app.getHttpServer()).get('/api/openapi.json').expect(404);
      await request(t.app.getHttpServer()).get('/api/docs').expect(404);
      const cipher = t.app.get<FieldCipher>(FIELD_CIPHER);
      const field = { table: 'users', column: 'email', rowId: randomUUID() };
      const sealed = await cipher.encrypt('alice@example.test', field);
      expect(await cipher.decrypt(sealed, field)).toBe('alice@example.test');
      expect(kms.calls).toContain('GenerateDataKey');
    } finally {
      await t.close();
      process.env = saved;
      await kms.close();
      await scratch.drop();
    }
  });
});
