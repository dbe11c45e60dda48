import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { developmentKey } from '@storefront/crypto';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEVELOPMENT_AUDIT_HMAC_KEY,
  DEVELOPMENT_LOG_PSEUDONYM_KEY,
  ENV_SCHEMA,
  SECRET_VARIABLES,
  describeConfig,
  loadConfig,
  type ProcessRole,
} from './app-config';

/** Production field-encryption settings of the tests: KMS and a blind-index key of their own. */
const FIELD_ENCRYPTION_KEYS = {
  FIELD_ENCRYPTION_PROVIDER: 'kms',
  FIELD_ENCRYPTION_KMS_KEY_ID: 'alias/storefront-field-encryption',
  BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
};

/** Production audit keys of the tests (any value but the public development ones). */
const AUDIT_KEYS = {
  AUDIT_HMAC_KEY: 'test-audit-chain-key-0123456789abcdef',
  LOG_PSEUDONYM_KEY: 'test-pseudonym-key-0123456789abcdef',
};

/** Production mail settings of the tests: SMTP, a sender and an https base for links. */
const MAIL_SETTINGS = {
  SMTP_URL: 'smtps://mailer:pw@smtp.example:465',
  MAIL_FROM: 'Storefront <no-reply@shop.example>',
  PUBLIC_BASE_URL: 'https://shop.example',
};

/** Production identity settings of the tests: the shop's https origin and passkey domain. */
const IDENTITY_SETTINGS = {
  PUBLIC_ORIGINS: 'https://shop.example',
  WEBAUTHN_RP_ID: 'shop.example',
};

/** Production payment settings of the tests: Stripe with live-mode keys (never dialled here). */
const PAYMENT_SETTINGS = {
  STRIPE_SECRET_KEY: `rk_live_${'a'.repeat(24)}`,
  STRIPE_WEBHOOK_SECRET: `whsec_${'b'.repeat(32)}`,
  STRIPE_PUBLISHABLE_KEY: `pk_live_${'c'.repeat(24)}`,
};

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('refuses production without the shop’s https origins (CSRF allowlist) or with http ones', () => {
    const base = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://app:pw@db:5432/shop',
      REDIS_URL: 'rediss://:token@cache:6379',
      ...AUDIT_KEYS,
      ...FIELD_ENCRYPTION_KEYS,
      ...MAIL_SETTINGS,
      ...PAYMENT_SETTINGS,
      WEBAUTHN_RP_ID: 'shop.example',
    };
    expect(problemsOf(base)).toContainEqual(expect.stringMatching(/^PUBLIC_ORIGINS: required/));
    expect(problemsOf({ ...base, PUBLIC_ORIGINS: 'http://shop.example' })).toContainEqual(
      expect.stringMatching(/^PUBLIC_ORIGINS: production origins must be https/),
    );
    expect(loadConfig({ ...base, PUBLIC_ORIGINS: 'https://shop.example/' }).identity).toMatchObject(
      { publicOrigins: ['https://shop.example'] },
    );
  });

  it('checks each process of the image only on what it uses, so each holds only its secrets', () => {
    const database = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://storefront_app@proxy:5432/shop',
      MIGRATION_DATABASE_URL: 'postgres://storefront_migrator@proxy:5432/shop',
      DATABASE_AUTH: 'iam',
      DATABASE_SSL: 'verify-full',
    };
    const problemsAs = (env: NodeJS.ProcessEnv, role: ProcessRole) => {
      try {
        loadConfig(env, role);
        return [];
      } catch (error) {
        return (error as ConfigError).problems.map((p) => p.slice(0, p.indexOf(':')));
      }
    };
    // Migrations: the database alone.
    expect(problemsAs(database, 'migrate')).toEqual([]);
    expect(problemsAs({ ...database, DATABASE_SSL: 'disable' }, 'migrate')).toEqual([
      'DATABASE_SSL',
    ]);
    // The audit check: the database and the chain key, nothing else.
    expect(problemsAs(database, 'audit-verify')).toEqual(['AUDIT_HMAC_KEY']);
    expect(
      problemsAs({ ...database, AUDIT_HMAC_KEY: AUDIT_KEYS.AUDIT_HMAC_KEY }, 'audit-verify'),
    ).toEqual([]);
    // The mail worker: Redis, field encryption and mail, but no Stripe, blind index or origins.
    const worker = problemsAs(database, 'mail-worker');
    expect(worker).toEqual(
      expect.arrayContaining([
        'REDIS_URL',
        'FIELD_ENCRYPTION_PROVIDER',
        'MAIL_FROM',
        'PUBLIC_BASE_URL',
      ]),
    );
    for (const unused of [
      'STRIPE_SECRET_KEY',
      'BLIND_INDEX_KEY',
      'PUBLIC_ORIGINS',
      'AUDIT_HMAC_KEY',
    ]) {
      expect(worker).not.toContain(unused);
    }
    expect(
      problemsAs(
        {
          ...database,
          REDIS_URL: 'rediss://:token@cache:6379',
          FIELD_ENCRYPTION_PROVIDER: 'kms',
          FIELD_ENCRYPTION_KMS_KEY_ID: 'alias/fields',
          ...MAIL_SETTINGS,
        },
        'mail-worker',
      ),
    ).toEqual([]);
    // The API itself is checked on everything.
    expect(problemsAs(database, 'api')).toEqual(
      expect.arrayContaining([
        'REDIS_URL',
        'STRIPE_SECRET_KEY',
        'BLIND_INDEX_KEY',
        'AUDIT_HMAC_KEY',
      ]),
    );
  });

  it('asks no SMTP settings of the API when the worker process sends (MAIL_WORKER=off)', () => {
    const { SMTP_URL: _smtp, ...noSmtp } = MAIL_SETTINGS;
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://app:pw@db:5432/shop',
      REDIS_URL: 'rediss://:token@cache:6379',
      ...AUDIT_KEYS,
      ...FIELD_ENCRYPTION_KEYS,
      ...noSmtp,
      ...IDENTITY_SETTINGS,
      ...PAYMENT_SETTINGS,
      MAIL_TRANSPORT: 'smtp',
      SMTP_TLS: 'required',
    };
    const problemsAs = (env: NodeJS.ProcessEnv, role: ProcessRole) => {
      try {
        loadConfig(env, role);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    // The API only enqueues: it starts without SMTP_URL and holds no transport.
    const api = loadConfig({ ...production, MAIL_WORKER: 'off' }, 'api');
    expect(api.mail.transport).toEqual({ kind: 'none' });
    expect(describeConfig(api).mail).toBe('none (worker=off)');
    // Without MAIL_TRANSPORT either (production would otherwise refuse the file default).
    const { MAIL_TRANSPORT: _transport, ...noTransport } = production;
    expect(loadConfig({ ...noTransport, MAIL_WORKER: 'off' }, 'api').mail.transport).toEqual({
      kind: 'none',
    });
    // An API that sends (inline) still needs it, and so does the worker process, whatever
    // MAIL_WORKER says (the worker always sends).
    expect(problemsAs({ ...production, MAIL_WORKER: 'inline' }, 'api')).toEqual([
      expect.stringMatching(/^SMTP_URL: required when MAIL_TRANSPORT=smtp/),
    ]);
    expect(problemsAs(noTransport, 'api')).toEqual([
      expect.stringMatching(/^MAIL_TRANSPORT: production sends by SMTP/),
    ]);
    expect(problemsAs({ ...production, MAIL_WORKER: 'off' }, 'mail-worker')).toEqual([
      expect.stringMatching(/^SMTP_URL: required when MAIL_TRANSPORT=smtp/),
    ]);
    // Given SMTP settings, they keep their meaning (one environment for API and worker), and a
    // malformed URL is still refused.
    expect(
      loadConfig({ ...production, MAIL_WORKER: 'off', SMTP_URL: MAIL_SETTINGS.SMTP_URL }, 'api')
        .mail.transport,
    ).toMatchObject({ kind: 'smtp', tls: 'required' });
    expect(
      problemsAs(
        { ...production, MAIL_WORKER: 'off', SMTP_URL: 'smtps://smtp.example:465/?tls.x=1' },
        'api',
      ),
    ).toEqual([expect.stringMatching(/^SMTP_URL: must not carry a query/)]);
  });

  it('gives a working development configuration with no variables at all', () => {
    const config = loadConfig({});
    expect(config.database.kind).toBe('embedded');
    expect(config.redis.kind).toBe('memory');
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 3333, trustProxyHops: 0 });
    expect(config.openApiEnabled).toBe(true);
  });

  it('refuses to start in production on the embedded database or in-memory stores', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      ...AUDIT_KEYS,
      ...FIELD_ENCRYPTION_KEYS,
      ...MAIL_SETTINGS,
      ...IDENTITY_SETTINGS,
      ...PAYMENT_SETTINGS,
    });
    expect(problems).toEqual([
      expect.stringMatching(/^DATABASE_URL: required in production/),
      expect.stringMatching(/^REDIS_URL: required in production/),
    ]);
  });

  it('starts in production with real stores and hides the OpenAPI description', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://app:pw@db:5432/shop',
      REDIS_URL: 'rediss://:token@cache:6379',
      ...AUDIT_KEYS,
      ...FIELD_ENCRYPTION_KEYS,
      ...MAIL_SETTINGS,
      ...IDENTITY_SETTINGS,
      ...PAYMENT_SETTINGS,
    });
    expect(config.openApiEnabled).toBe(false);
    expect(config.database).toMatchObject({
      kind: 'postgres',
      migrationUrl: 'postgres://app:pw@db:5432/shop',
    });
  });

  it('names the malformed variable and never echoes a secret value', () => {
    const secret = 'mysql://root:hunter2-very-secret@db/shop';
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: secret,
      RATE_LIMIT_SEARCH: '10 per minute',
    });
    expect(problems.some((p) => p.startsWith('PORT:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('DATABASE_URL:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('RATE_LIMIT_SEARCH:'))).toBe(true);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('refuses the public development audit keys in production, and keys shorter than 32 characters', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://app:pw@db:5432/shop',
      REDIS_URL: 'rediss://:token@cache:6379',
    };
    const auditProblems = (env: NodeJS.ProcessEnv) =>
      problemsOf(env).filter((p) => /^(AUDIT_HMAC_|LOG_PSEUDONYM_KEY)/.test(p));
    expect(auditProblems(production)).toEqual([
      expect.stringMatching(/^AUDIT_HMAC_KEY: required in production/),
      expect.stringMatching(/^LOG_PSEUDONYM_KEY: required in production/),
    ]);
    expect(
      auditProblems({
        ...production,
        AUDIT_HMAC_KEY: DEVELOPMENT_AUDIT_HMAC_KEY,
        LOG_PSEUDONYM_KEY: DEVELOPMENT_LOG_PSEUDONYM_KEY,
      }),
    ).toHaveLength(2);
    expect(auditProblems({ ...production, ...AUDIT_KEYS })).toEqual([]);
    const short = problemsOf({
      AUDIT_HMAC_KEY: 'short-secret-value',
      AUDIT_HMAC_PREVIOUS_KEYS: 'x',
    });
    expect(short).toEqual([
      expect.stringMatching(/^AUDIT_HMAC_KEY: must be at least 32/),
      expect.stringMatching(/^AUDIT_HMAC_PREVIOUS_KEYS\.0: must be at least 32/),
    ]);
    expect(short.join('\n')).not.toContain('short-secret-value');
    expect(
      problemsOf({
        AUDIT_HMAC_KEY: AUDIT_KEYS.AUDIT_HMAC_KEY,
        LOG_PSEUDONYM_KEY: AUDIT_KEYS.AUDIT_HMAC_KEY,
      }),
    ).toEqual([expect.stringMatching(/^LOG_PSEUDONYM_KEY: must differ/)]);
    expect(loadConfig(AUDIT_KEYS).audit).toEqual({
      hmacKey: AUDIT_KEYS.AUDIT_HMAC_KEY,
      previousHmacKeys: [],
      pseudonymKey: AUDIT_KEYS.LOG_PSEUDONYM_KEY,
    });
  });

  it('starts field encryption in development on public development keys, labelled as such', () => {
    const config = loadConfig({});
    const { provider, blindIndexKey, developmentKeys } = config.fieldEncryption;
    expect(provider.kind).toBe('local');
    expect(developmentKeys).toBe(true);
    expect(provider.kind === 'local' && provider.kek.equals(developmentKey('local-kek'))).toBe(
      true,
    );
    expect(blindIndexKey.equals(developmentKey('blind-index'))).toBe(true);
    expect(blindIndexKey.equals(developmentKey('local-kek'))).toBe(false);
    expect(describeConfig(config).fieldEncryption).toMatch(/development keys: public, not secret/);
  });

  it('refuses the local key provider and the development blind-index key in production', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://app:pw@db:5432/shop',
      REDIS_URL: 'rediss://:token@cache:6379',
    };
    const encryptionProblems = (env: NodeJS.ProcessEnv) =>
      problemsOf({ ...production, ...env }).filter((p) =>
        /^(FIELD_ENCRYPTION_|BLIND_INDEX_KEY)/.test(p),
      );
    expect(encryptionProblems({})).toEqual([
      expect.stringMatching(/^FIELD_ENCRYPTION_PROVIDER: must be kms in production/),
      expect.stringMatching(/^BLIND_INDEX_KEY: required in production/),
    ]);
    // A real local KEK is still the local provider: refused.
    expect(
      encryptionProblems({
        FIELD_ENCRYPTION_PROVIDER: 'local',
        FIELD_ENCRYPTION_LOCAL_KEK: randomBytes(32).toString('base64'),
        BLIND_INDEX_KEY: FIELD_ENCRYPTION_KEYS.BLIND_INDEX_KEY,
      }),
    ).toEqual([expect.stringMatching(/^FIELD_ENCRYPTION_PROVIDER: must be kms/)]);
    expect(
      encryptionProblems({ ...FIELD_ENCRYPTION_KEYS, FIELD_ENCRYPTION_KMS_KEY_ID: '' }),
    ).toEqual([expect.stringMatching(/^FIELD_ENCRYPTION_KMS_KEY_ID: required/)]);
    expect(encryptionProblems(FIELD_ENCRYPTION_KEYS)).toEqual([]);
    const kms = loadConfig(FIELD_ENCRYPTION_KEYS).fieldEncryption;
    expect(kms.provider).toEqual({ kind: 'kms', keyId: 'alias/storefront-field-encryption' });
    expect(kms.developmentKeys).toBe(false);
  });

  it('keeps the blind-index key separate from the key-encryption key', () => {
    const key = randomBytes(32).toString('base64');
    expect(problemsOf({ FIELD_ENCRYPTION_LOCAL_KEK: key, BLIND_INDEX_KEY: key })).toEqual([
      expect.stringMatching(/^BLIND_INDEX_KEY: must differ from FIELD_ENCRYPTION_LOCAL_KEK/),
    ]);
    const other = randomBytes(32).toString('base64');
    const config = loadConfig({ FIELD_ENCRYPTION_LOCAL_KEK: key, BLIND_INDEX_KEY: other });
    expect(config.fieldEncryption.developmentKeys).toBe(false);
    expect(config.fieldEncryption.blindIndexKey.export().toString('base64')).toBe(other);
  });

  it('accepts only 32-byte base64 keys, never echoes them, and never prints parsed ones', () => {
    const short = randomBytes(16).toString('base64');
    const problems = problemsOf({
      FIELD_ENCRYPTION_LOCAL_KEK: short,
      BLIND_INDEX_KEY: 'not base64 at all, but long enough to pass a length check!',
      FIELD_ENCRYPTION_KMS_KEY_ID: 'arn:aws:s3:::bucket',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^FIELD_ENCRYPTION_LOCAL_KEK: must be 32 random bytes in base64/),
      expect.stringMatching(/^FIELD_ENCRYPTION_KMS_KEY_ID: must be a KMS key/),
      expect.stringMatching(/^BLIND_INDEX_KEY: must be 32 random bytes in base64/),
    ]);
    expect(problems.join('\n')).not.toContain(short);
    const kek = randomBytes(32).toString('base64');
    const config = loadConfig({ FIELD_ENCRYPTION_LOCAL_KEK: kek });
    const printed = `${inspect(config, { depth: 10 })}${JSON.stringify(config)}`;
    expect(printed).not.toContain(kek);
    expect(printed).not.toContain(Buffer.from(kek, 'base64').toString('hex'));
    for (const name of ['FIELD_ENCRYPTION_LOCAL_KEK', 'BLIND_INDEX_KEY']) {
      expect(SECRET_VARIABLES.has(name)).toBe(true);
    }
  });

  it('parses rate limits as LIMIT/SECONDS', () => {
    expect(loadConfig({ RATE_LIMIT_AUTH: '5/300' }).rateLimits.auth).toEqual({
      limit: 5,
      ttlMs: 300_000,
    });
  });

  it('rejects an absolute session timeout shorter than the idle one', () => {
    expect(
      problemsOf({ SESSION_IDLE_TIMEOUT_SECONDS: '3600', SESSION_ABSOLUTE_TIMEOUT_SECONDS: '600' }),
    ).toEqual([expect.stringMatching(/^SESSION_ABSOLUTE_TIMEOUT_SECONDS/)]);
  });

  it('documents every variable in .env.example, and only those', () => {
    // The web app's own section (its process reads only those) is not the API's to check.
    const example = readFileSync(
      new URL('../../../../.env.example', import.meta.url),
      'utf8',
    ).split(/^# --- Web app/m)[0] as string;
    const documented = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(new Set(documented)).toEqual(new Set(Object.keys(ENV_SCHEMA.shape)));
    for (const name of SECRET_VARIABLES) expect(documented).toContain(name);
  });
});
