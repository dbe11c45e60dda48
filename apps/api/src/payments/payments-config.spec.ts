import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, SECRET_VARIABLES, describeConfig, loadConfig } from '../config/app-config';

/** Problems about payment variables only (other contexts add their own production requirements). */
function paymentProblems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems.filter((p) => /^(PAYMENT_|STRIPE_)/.test(p));
    }
    throw error;
  }
  return [];
}

const LIVE = {
  STRIPE_SECRET_KEY: `sk_live_${'a'.repeat(32)}`,
  STRIPE_WEBHOOK_SECRET: `whsec_${'b'.repeat(32)}`,
  STRIPE_PUBLISHABLE_KEY: `pk_live_${'c'.repeat(32)}`,
};
const TEST_KEYS = {
  STRIPE_SECRET_KEY: `sk_test_${'d'.repeat(32)}`,
  STRIPE_WEBHOOK_SECRET: `whsec_${'e'.repeat(32)}`,
  STRIPE_PUBLISHABLE_KEY: `pk_test_${'f'.repeat(32)}`,
};
const PRODUCTION = { NODE_ENV: 'production' };

describe('payments configuration', () => {
  it('simulates payments in development with no variables at all', () => {
    const config = loadConfig({});
    expect(config.payments).toEqual({ provider: 'development', publishableKey: null });
    expect(describeConfig(config).payments).toBe('development (simulated payments)');
  });

  it('uses Stripe as soon as a secret key is given, and requires all three values with it', () => {
    expect(loadConfig(TEST_KEYS).payments).toMatchObject({
      provider: 'stripe',
      mode: 'test',
      publishableKey: TEST_KEYS.STRIPE_PUBLISHABLE_KEY,
      api: null,
      timeoutMs: 10_000,
      maxNetworkRetries: 2,
    });
    expect(paymentProblems({ PAYMENT_PROVIDER: 'stripe' })).toEqual([
      expect.stringMatching(/^STRIPE_SECRET_KEY: required with PAYMENT_PROVIDER=stripe/),
      expect.stringMatching(/^STRIPE_WEBHOOK_SECRET: required/),
      expect.stringMatching(/^STRIPE_PUBLISHABLE_KEY: required/),
    ]);
  });

  it('refuses the development provider in production, explicit or by default', () => {
    expect(paymentProblems({ ...PRODUCTION, PAYMENT_PROVIDER: 'development' })).toContainEqual(
      expect.stringMatching(/^PAYMENT_PROVIDER: production takes payments through Stripe/),
    );
    // Unset in production means Stripe, whose keys are then required.
    expect(paymentProblems(PRODUCTION)).toEqual([
      expect.stringMatching(/^STRIPE_SECRET_KEY: required/),
      expect.stringMatching(/^STRIPE_WEBHOOK_SECRET: required/),
      expect.stringMatching(/^STRIPE_PUBLISHABLE_KEY: required/),
    ]);
    expect(paymentProblems({ ...PRODUCTION, ...LIVE })).toEqual([]);
  });

  it('refuses test-mode keys in production (secret, restricted and publishable)', () => {
    expect(paymentProblems({ ...PRODUCTION, ...TEST_KEYS })).toEqual([
      expect.stringMatching(/^STRIPE_SECRET_KEY: test-mode keys are refused in production/),
      expect.stringMatching(/^STRIPE_PUBLISHABLE_KEY: test-mode keys are refused in production/),
    ]);
    expect(
      paymentProblems({ ...PRODUCTION, ...LIVE, STRIPE_SECRET_KEY: `rk_test_${'a'.repeat(32)}` }),
    ).toEqual([
      expect.stringMatching(/^STRIPE_SECRET_KEY: test-mode keys are refused/),
      expect.stringMatching(/^STRIPE_PUBLISHABLE_KEY: must be of the same mode/),
    ]);
    const restricted = { ...LIVE, STRIPE_SECRET_KEY: `rk_live_${'a'.repeat(32)}` };
    expect(paymentProblems({ ...PRODUCTION, ...restricted })).toEqual([]);
    expect(loadConfig(restricted).payments).toMatchObject({ provider: 'stripe', mode: 'live' });
  });

  it('refuses keys of mixed modes and values that are not Stripe keys, without echoing them', () => {
    expect(
      paymentProblems({ ...TEST_KEYS, STRIPE_PUBLISHABLE_KEY: LIVE.STRIPE_PUBLISHABLE_KEY }),
    ).toEqual([expect.stringMatching(/^STRIPE_PUBLISHABLE_KEY: must be of the same mode/)]);
    const problems = paymentProblems({
      STRIPE_SECRET_KEY: 'pk_live_notasecretkey0123456789',
      STRIPE_WEBHOOK_SECRET: 'not-a-signing-secret-0123456789',
      PAYMENT_PROVIDER: 'paypal',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^PAYMENT_PROVIDER:/),
      expect.stringMatching(/^STRIPE_SECRET_KEY: must be a Stripe secret or restricted key/),
      expect.stringMatching(/^STRIPE_WEBHOOK_SECRET: must be a webhook signing secret/),
    ]);
    expect(problems.join('\n')).not.toContain('notasecretkey');
    expect(problems.join('\n')).not.toContain('not-a-signing-secret');
  });

  it('points the SDK at another server only outside production, by scheme, host and port', () => {
    expect(
      loadConfig({ ...TEST_KEYS, STRIPE_API_BASE: 'http://127.0.0.1:12111' }).payments,
    ).toMatchObject({ api: { protocol: 'http', host: '127.0.0.1', port: 12111 } });
    expect(paymentProblems({ ...TEST_KEYS, STRIPE_API_BASE: 'http://127.0.0.1:1/v1' })).toEqual([
      expect.stringMatching(/^STRIPE_API_BASE: scheme, host and port only/),
    ]);
    expect(
      paymentProblems({
        ...PRODUCTION,
        ...LIVE,
        STRIPE_API_BASE: 'https://stripe.attacker.example',
      }),
    ).toEqual([expect.stringMatching(/^STRIPE_API_BASE: production talks to Stripe itself/)]);
  });

  it('keeps the secret key and the signing secret out of every printout', () => {
    const config = loadConfig(LIVE);
    const printed = `${inspect(config, { depth: 10 })}${JSON.stringify(config)}${JSON.stringify(describeConfig(config))}`;
    expect(printed).not.toContain(LIVE.STRIPE_SECRET_KEY);
    expect(printed).not.toContain(LIVE.STRIPE_WEBHOOK_SECRET);
    expect(config.payments.provider === 'stripe' && config.payments.secretKey.reveal()).toBe(
      LIVE.STRIPE_SECRET_KEY,
    );
    expect(describeConfig(config).payments).toBe('stripe (live)');
    for (const name of ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET']) {
      expect(SECRET_VARIABLES.has(name)).toBe(true);
    }
    expect(SECRET_VARIABLES.has('STRIPE_PUBLISHABLE_KEY')).toBe(false);
  });
});
