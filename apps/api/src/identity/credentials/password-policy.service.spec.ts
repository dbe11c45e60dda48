import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/app-config';
import { DomainError } from '../../core/errors/domain-error';
import { ERROR_CATALOGUE } from '../../core/errors/error-catalogue';
import {
  NO_ONLINE_BREACH_CHECK,
  type BreachCheckResult,
  type BreachedPasswordCheck,
} from './breached-password-check';
import { defaultPasswordBlocklist } from './password-blocklist';
import {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  PasswordPolicy,
  codePointLength,
  contextWords,
  type PasswordSubject,
} from './password-policy.service';

const config = loadConfig({ NODE_ENV: 'test', SHOP_NAME: 'Maison Lumière' });
const customer: PasswordSubject = { kind: 'customer', email: 'jeanne.dupont@example.fr' };
const staff: PasswordSubject = { kind: 'staff', email: 'ops+admin@example.fr' };

function policyWith(breachCheck: BreachedPasswordCheck = NO_ONLINE_BREACH_CHECK): PasswordPolicy {
  return new PasswordPolicy(config, defaultPasswordBlocklist(), breachCheck);
}

const codes = (problems: { code: string }[]) => problems.map((p) => p.code);

// Built at import, not inside a test: fast-check's first arbitrary of the 'binary' unit builds a
// reverse map of every code point (≈ 1 s on these 2-vCPU machines, once per process), which
// must not eat a test's time budget: under load it took one past its 5 s timeout.
const anyPassword = fc.string({ unit: 'binary', minLength: 0, maxLength: 300 });

describe('PasswordPolicy: length', () => {
  const policy = policyWith();

  it('refuses an 11-character customer password and accepts 12', () => {
    expect(codes(policy.checkOffline('vq7!Zr2#pLw', customer))).toEqual(['TOO_SHORT']);
    expect(policy.checkOffline('vq7!Zr2#pLw9', customer)).toEqual([]);
  });

  it('asks staff for 15 characters', () => {
    expect(policy.checkOffline('vq7!Zr2#pLw9kD4', staff)).toEqual([]);
    expect(codes(policy.checkOffline('vq7!Zr2#pLw9kD', staff))).toEqual(['TOO_SHORT']);
    expect(PASSWORD_MIN_LENGTH).toEqual({ customer: 12, staff: 15 });
  });

  it('counts Unicode code points, not UTF-16 units or bytes', () => {
    // 11 unicorns are 22 UTF-16 units and 44 bytes, but 11 characters.
    expect(codes(policy.checkOffline('🦄'.repeat(11), customer))).toEqual(['TOO_SHORT']);
    expect(policy.checkOffline('🦄'.repeat(12), customer)).toEqual([]);
    expect(policy.checkOffline('Ωμέγα Ελλάδα', customer)).toEqual([]);
  });

  it('accepts 128 and 256 characters and refuses 257', () => {
    const long = (n: number) => 'the quick brown fox jumps over a lazy dog '.repeat(10).slice(0, n);
    expect(policy.checkOffline(long(128), customer)).toEqual([]);
    expect(policy.checkOffline(long(PASSWORD_MAX_LENGTH), customer)).toEqual([]);
    expect(codes(policy.checkOffline(long(PASSWORD_MAX_LENGTH + 1), customer))).toEqual([
      'TOO_LONG',
    ]);
  });

  it('has no composition rules: lower-case only, digits only, spaces, symbols are all fine', () => {
    for (const password of [
      'purple monkey dishwasher',
      '839201746352',
      '!!@@##$$%%^^&&',
      'sans majuscule ni chiffre',
    ]) {
      expect(policy.checkOffline(password, customer)).toEqual([]);
    }
  });

  it('judges the password exactly as typed (spaces count, nothing is trimmed)', () => {
    expect(codes(policy.checkOffline('Tr0ub4dour&', customer))).toEqual(['TOO_SHORT']);
    expect(policy.checkOffline('Tr0ub4dour& ', customer)).toEqual([]);
    expect(policy.checkOffline(' Tr0ub4dour&', customer)).toEqual([]);
  });

  it('property: TOO_SHORT exactly below the minimum, TOO_LONG exactly above the maximum', () => {
    fc.assert(
      fc.property(
        anyPassword,
        fc.constantFrom<PasswordSubject['kind']>('customer', 'staff'),
        (password, kind) => {
          const n = codePointLength(password);
          const found = codes(policy.checkOffline(password, { kind }));
          expect(found.includes('TOO_SHORT')).toBe(n < PASSWORD_MIN_LENGTH[kind]);
          expect(found.includes('TOO_LONG')).toBe(n > PASSWORD_MAX_LENGTH);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('property: code-point length agrees with the string iterator and ignores UTF-16 pairs', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0x20, max: 0x10ffff }), { maxLength: 80 }), (cps) => {
        const valid = cps.filter((cp) => cp < 0xd800 || cp > 0xdfff);
        expect(codePointLength(String.fromCodePoint(...valid))).toBe(valid.length);
      }),
    );
  });
});

describe('PasswordPolicy: offline blocklist', () => {
  const policy = policyWith();

  it('refuses common passwords that satisfy the length rule, whatever their case', () => {
    for (const password of ['qwerty123456', 'QWERTY123456', '1qaz2wsx3edc', 'iloveyou1234']) {
      expect(codes(policy.checkOffline(password, customer))).toEqual(['COMMON']);
    }
    expect(codes(policy.checkOffline('passwordpassword', staff))).toEqual(['COMMON']);
  });

  it('holds the 10,000 most common passwords and thousands that match the policy', () => {
    const list = defaultPasswordBlocklist();
    expect(list.size).toBeGreaterThan(50_000);
    for (const common of ['123456', 'password', 'qwerty', 'dragon', 'letmein']) {
      expect(list.has(common)).toBe(true);
    }
    expect(list.has('a string nobody would pick 8c1f')).toBe(false);
  });

  it('is built once per process', () => {
    expect(defaultPasswordBlocklist()).toBe(defaultPasswordBlocklist());
  });
});

describe('PasswordPolicy: context-specific words', () => {
  const policy = policyWith();

  it("refuses the email's local part, its parts, and the shop's name inside the password", () => {
    for (const password of [
      'jeanne.dupont@example.fr',
      'JeanneLovesCats2024',
      'my-name-is-dupont!',
      'MaisonLumière2024!',
      'lumière au bout du tunnel',
      'maison de campagne 77',
    ]) {
      expect(codes(policy.checkOffline(password, customer))).toEqual(['CONTEXT']);
    }
  });

  it('refuses other words given for the account (e.g. the person name)', () => {
    expect(
      codes(
        policy.checkOffline('Bernadette forever!', { ...customer, otherWords: ['Bernadette'] }),
      ),
    ).toEqual(['CONTEXT']);
  });

  it('accepts passwords without them', () => {
    expect(policy.checkOffline('correct horse battery staple', customer)).toEqual([]);
  });

  it('documents the words it derives', () => {
    expect(contextWords('Maison Lumière', customer).sort()).toEqual(
      [
        'maison lumière',
        'maisonlumière',
        'maison',
        'lumière',
        'jeanne.dupont',
        'jeanne',
        'dupont',
      ].sort(),
    );
  });
});

describe('PasswordPolicy: online breach check and the thrown error', () => {
  function stubCheck(result: BreachCheckResult) {
    const seen: string[] = [];
    const check: BreachedPasswordCheck = {
      check: (password) => {
        seen.push(password);
        return Promise.resolve(result);
      },
    };
    return { check, seen };
  }

  it('refuses a password the online check reports as breached', async () => {
    const { check } = stubCheck('breached');
    const result = await policyWith(check).check('purple monkey dishwasher', customer);
    expect(result).toEqual({
      acceptable: false,
      problems: [expect.objectContaining({ code: 'BREACHED' })],
    });
  });

  it('keeps the offline verdict when the online check is unavailable (fail open)', async () => {
    const { check } = stubCheck('unavailable');
    expect((await policyWith(check).check('purple monkey dishwasher', customer)).acceptable).toBe(
      true,
    );
    expect((await policyWith(check).check('qwerty123456', customer)).acceptable).toBe(false);
  });

  it('does not send passwords the offline checks already refused', async () => {
    const { check, seen } = stubCheck('clear');
    await policyWith(check).check('qwerty123456', customer);
    await policyWith(check).check('short', customer);
    expect(seen).toEqual([]);
  });

  it('throws WEAK_PASSWORD (422) with one issue per problem, never echoing the password', async () => {
    const error: unknown = await policyWith()
      .assertAcceptable('jeanne1234', customer, 'newPassword')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    const domain = error as DomainError;
    expect(domain.code).toBe('WEAK_PASSWORD');
    expect(ERROR_CATALOGUE[domain.code].status).toBe(422);
    expect(domain.issues?.map((i) => i.path)).toEqual(['newPassword', 'newPassword']);
    expect(JSON.stringify(domain.issues) + domain.message).not.toContain('jeanne1234');
    await expect(
      policyWith().assertAcceptable('correct horse battery staple', customer),
    ).resolves.toBeUndefined();
  });
});
