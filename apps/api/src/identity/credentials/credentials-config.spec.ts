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

describe('credentials configuration', () => {
  it('defaults to the OWASP argon2id baseline and no online breach check', () => {
    const { credentials, shopName } = loadConfig({ NODE_ENV: 'test' });
    expect(credentials.argon2).toEqual({ memoryKib: 19_456, iterations: 2, parallelism: 1 });
    expect(credentials.hashConcurrency).toBeGreaterThanOrEqual(1);
    expect(credentials.hashConcurrency).toBeLessThanOrEqual(3);
    expect(credentials.hashQueueLimit).toBe(32);
    expect(credentials.hibp).toEqual({
      enabled: false,
      baseUrl: 'https://api.pwnedpasswords.com',
      timeoutMs: 1_500,
    });
    expect(shopName).toBe('Storefront');
  });

  it('reads every variable', () => {
    const { credentials, shopName } = loadConfig({
      NODE_ENV: 'test',
      SHOP_NAME: 'Maison Lumière',
      PASSWORD_ARGON2_MEMORY_KIB: '47104',
      PASSWORD_ARGON2_ITERATIONS: '1',
      PASSWORD_ARGON2_PARALLELISM: '2',
      PASSWORD_HASH_CONCURRENCY: '4',
      PASSWORD_HASH_QUEUE_LIMIT: '0',
      PASSWORD_HIBP_ENABLED: 'true',
      PASSWORD_HIBP_URL: 'http://127.0.0.1:9999',
      PASSWORD_HIBP_TIMEOUT_MS: '300',
    });
    expect(shopName).toBe('Maison Lumière');
    expect(credentials).toEqual({
      argon2: { memoryKib: 47_104, iterations: 1, parallelism: 2 },
      hashConcurrency: 4,
      hashQueueLimit: 0,
      hibp: { enabled: true, baseUrl: 'http://127.0.0.1:9999', timeoutMs: 300 },
    });
  });

  it('refuses argon2 costs below the OWASP minimum', () => {
    expect(
      problemsOf({ PASSWORD_ARGON2_MEMORY_KIB: '19456', PASSWORD_ARGON2_ITERATIONS: '1' }),
    ).toEqual([expect.stringMatching(/^PASSWORD_ARGON2_MEMORY_KIB: .*OWASP minimum/)]);
    expect(problemsOf({ PASSWORD_ARGON2_MEMORY_KIB: '4096' })).toEqual([
      expect.stringMatching(/^PASSWORD_ARGON2_MEMORY_KIB/),
    ]);
    expect(
      problemsOf({ PASSWORD_ARGON2_MEMORY_KIB: '7168', PASSWORD_ARGON2_ITERATIONS: '5' }),
    ).toEqual([]);
  });

  it('requires https for the breach-check API in production', () => {
    const production = problemsOf({
      NODE_ENV: 'production',
      PASSWORD_HIBP_ENABLED: 'true',
      PASSWORD_HIBP_URL: 'http://hibp.internal',
    });
    expect(production).toContainEqual(expect.stringMatching(/^PASSWORD_HIBP_URL: must be https/));
  });
});
