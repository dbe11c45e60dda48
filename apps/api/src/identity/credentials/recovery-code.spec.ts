import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RECOVERY_CODE_BYTES,
  RECOVERY_CODE_LENGTH,
  encodeRecoveryCode,
  formatRecoveryCode,
  generateRecoveryCode,
  normaliseRecoveryCode,
  recoveryCodeDigest,
} from './recovery-code';

const DISPLAY = /^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){5}$/;

describe('recovery codes', () => {
  it('are 24 Crockford base32 characters (120 bits) shown in six groups of four', () => {
    const { canonical, display } = generateRecoveryCode();
    expect(canonical).toHaveLength(RECOVERY_CODE_LENGTH);
    expect(display).toMatch(DISPLAY);
    expect(display.replaceAll('-', '')).toBe(canonical);
    // 24 characters x 5 bits: at least the 112 bits ASVS 6.5.2 asks for a plain hash, and 80+.
    expect(RECOVERY_CODE_LENGTH * 5).toBe(RECOVERY_CODE_BYTES * 8);
    expect(RECOVERY_CODE_BYTES * 8).toBeGreaterThanOrEqual(112);
  });

  it('come from the CSPRNG: 1,000 codes, no repeats, every symbol used', () => {
    const codes = Array.from({ length: 1_000 }, () => generateRecoveryCode().canonical);
    expect(new Set(codes).size).toBe(1_000);
    expect(new Set(codes.join('')).size).toBe(32);
  });

  it('property: encoding is injective and the formatted code reads back to itself', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: RECOVERY_CODE_BYTES, maxLength: RECOVERY_CODE_BYTES }),
        fc.uint8Array({ minLength: RECOVERY_CODE_BYTES, maxLength: RECOVERY_CODE_BYTES }),
        (a, b) => {
          const code = encodeRecoveryCode(a);
          expect(formatRecoveryCode(code)).toMatch(DISPLAY);
          expect(normaliseRecoveryCode(formatRecoveryCode(code))).toBe(code);
          expect(encodeRecoveryCode(b) === code).toBe(Buffer.from(a).equals(Buffer.from(b)));
        },
      ),
    );
  });

  it('property: typing variations (case, spaces, hyphens, o/i/l) read as the same code', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: RECOVERY_CODE_BYTES, maxLength: RECOVERY_CODE_BYTES }),
        fc.constantFrom(' ', '-', '  ', ''),
        (bytes, separator) => {
          const code = encodeRecoveryCode(bytes);
          const typed = code
            .toUpperCase()
            .replace(/0/g, 'O')
            .replace(/1/g, 'l')
            .match(/.{1,4}/g)!
            .join(separator);
          expect(normaliseRecoveryCode(`  ${typed} `)).toBe(code);
        },
      ),
    );
  });

  it('rejects anything that cannot be a code', () => {
    const code = generateRecoveryCode().canonical;
    expect(normaliseRecoveryCode(code.slice(1))).toBeUndefined();
    expect(normaliseRecoveryCode(`${code}0`)).toBeUndefined();
    expect(normaliseRecoveryCode(`u${code.slice(1)}`)).toBeUndefined();
    expect(normaliseRecoveryCode('')).toBeUndefined();
  });

  it('digests bind the code to its owner', () => {
    const code = generateRecoveryCode().canonical;
    const a = recoveryCodeDigest('7b0c1d7e-0000-4000-8000-000000000001', code);
    expect(a).toHaveLength(32);
    expect(a.equals(recoveryCodeDigest('7b0c1d7e-0000-4000-8000-000000000001', code))).toBe(true);
    expect(a.equals(recoveryCodeDigest('7b0c1d7e-0000-4000-8000-000000000002', code))).toBe(false);
  });
});
