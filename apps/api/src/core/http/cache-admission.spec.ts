import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADMISSION_GENERATION_SIZE, CacheAdmission } from './cache-admission';

describe('cache admission (second miss)', () => {
  it('admits a key on its second miss, and on every miss after', () => {
    const admission = new CacheAdmission();
    expect(admission.admitsOnMiss('/api/products?limit=5')).toBe(false);
    expect(admission.admitsOnMiss('/api/products?limit=6')).toBe(false);
    expect(admission.admitsOnMiss('/api/products?limit=5')).toBe(true);
    expect(admission.admitsOnMiss('/api/products?limit=5')).toBe(true);
    expect(admission.admitsOnMiss('/api/products?limit=6')).toBe(true);
  });

  it('remembers at least one generation of keys, and forgets beyond two', () => {
    const admission = new CacheAdmission();
    admission.admitsOnMiss('first');
    for (let i = 0; i < ADMISSION_GENERATION_SIZE - 1; i++) admission.admitsOnMiss(`k${i}`);
    // A full generation later, "first" is still known (in the previous generation).
    for (let i = 0; i < ADMISSION_GENERATION_SIZE; i++) admission.admitsOnMiss(`m${i}`);
    expect(admission.admitsOnMiss('first')).toBe(true);
    // Two more full generations of other keys push "first" out.
    const forgetful = new CacheAdmission();
    forgetful.admitsOnMiss('first');
    for (let i = 0; i < 2 * ADMISSION_GENERATION_SIZE; i++) forgetful.admitsOnMiss(`x${i}`);
    expect(forgetful.admitsOnMiss('first')).toBe(false);
  });

  it('never admits a key on its first miss, except through a fingerprint collision', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1 }), { minLength: 2, maxLength: 50 }),
        (keys) => {
          const admission = new CacheAdmission();
          const firsts = keys.map((key) => admission.admitsOnMiss(key));
          // With 50 random keys a 32-bit collision is vanishingly rare; allow none.
          expect(firsts.every((admitted) => !admitted)).toBe(true);
          expect(keys.every((key) => admission.admitsOnMiss(key))).toBe(true);
        },
      ),
    );
  });
});
