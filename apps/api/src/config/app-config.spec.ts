import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEVELOPMENT_AUDIT_HMAC_KEY,
  DEVELOPMENT_LOG_PSEUDONYM_KEY,
  ENV_SCHEMA,
  SECRET_VARIABLES,
  loadConfig,
} from './app-config';

/** Production audit keys of the tests (any value but the public development ones). */
const AUDIT_KEYS = {
  AUDIT_HMAC_KEY: 'test-audit-chain-key-0123456789abcdef',
  LOG_PSEUDONYM_KEY: 'test-pseudonym-key-0123456789abcdef',
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
  it('gives a working development configuration with no variables at all', () => {
    const config = loadConfig({});
    expect(config.database.kind).toBe('embedded');
    expect(config.redis.kind).toBe('memory');
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 3333, trustProxyHops: 0 });
    expect(config.openApiEnabled).toBe(true);
  });

  it('refuses to start in production on the embedded database or in-memory stores', () => {
    const problems = problemsOf({ NODE_ENV: 'production', ...AUDIT_KEYS });
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
    const example = readFileSync(new URL('../../../../.env.example', import.meta.url), 'utf8');
    const documented = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(new Set(documented)).toEqual(new Set(Object.keys(ENV_SCHEMA.shape)));
    for (const name of SECRET_VARIABLES) expect(documented).toContain(name);
  });
});
