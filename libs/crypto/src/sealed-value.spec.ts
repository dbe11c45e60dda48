import { createSecretKey, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidFieldContextError, MalformedSealedValueError } from './crypto-errors';
import { sealField } from './field-sealer';
import {
  additionalData,
  isSealedValue,
  parseSealedValue,
  sealedValueKeyId,
  type SealContext,
} from './sealed-value';

const context: SealContext = { table: 'users', column: 'email', rowId: 'row-1' };
const dataKey = { id: 'k1', key: createSecretKey(randomBytes(32)) };

describe('sealed value format', () => {
  it('is fe1.<keyId>.<iv>.<ciphertext>.<tag> with a 96-bit IV and a 128-bit tag', () => {
    const sealed = sealField('ada@example.com', context, dataKey);
    expect(sealed).toMatch(/^fe1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    const parts = parseSealedValue(sealed);
    expect(parts).toMatchObject({ version: 'fe1', keyId: 'k1' });
    expect(parts.iv).toHaveLength(12);
    expect(parts.tag).toHaveLength(16);
    expect(parts.ciphertext).toHaveLength(Buffer.byteLength('ada@example.com'));
    expect(sealedValueKeyId(sealed)).toBe('k1');
    expect(isSealedValue(sealed)).toBe(true);
  });

  it('refuses anything that is not exactly a version-1 sealed value', () => {
    const [v, k, iv, ct, tag] = sealField('x', context, dataKey).split('.') as [
      string,
      string,
      string,
      string,
      string,
    ];
    const malformed = [
      'ada@example.com',
      '',
      [v, k, iv, ct].join('.'),
      [v, k, iv, ct, tag, ''].join('.'),
      ['fe2', k, iv, ct, tag].join('.'),
      [v, 'bad key!', iv, ct, tag].join('.'),
      [v, '', iv, ct, tag].join('.'),
      [v, k, `${iv}=`, ct, tag].join('.'),
      [v, k, iv.slice(0, -2), ct, tag].join('.'),
      [v, k, iv, ct, tag.slice(0, -2)].join('.'),
      [v, k, iv, `${ct}+`, tag].join('.'),
      [v, k, iv, ct, `${tag}AA`].join('.'),
    ];
    for (const value of malformed) {
      expect(() => parseSealedValue(value), value).toThrow(MalformedSealedValueError);
      expect(isSealedValue(value)).toBe(false);
    }
  });

  it('refuses non-canonical base64url (one sealed value, one spelling)', () => {
    // "AB" and "AC" decode to the same byte; only the canonical spelling is accepted.
    const sealed = sealField('', context, dataKey);
    const [v, k, iv, , tag] = sealed.split('.') as [string, string, string, string, string];
    expect(Buffer.from('AB', 'base64url')).toEqual(Buffer.from('AA', 'base64url'));
    expect(() => parseSealedValue([v, k, iv, 'AB', tag].join('.'))).toThrow(
      /not canonical base64url/,
    );
  });

  it('never repeats the input in its error messages', () => {
    const secret = 'fe1.k1.Jean.Dupont@example.com.x';
    try {
      parseSealedValue(secret);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('Dupont');
    }
  });

  it('encodes the AAD unambiguously (length-prefixed fields)', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.string(), fc.string(), fc.string()),
        fc.tuple(fc.string(), fc.string(), fc.string()),
        ([t1, c1, r1], [t2, c2, r2]) => {
          fc.pre(t1 !== t2 || c1 !== c2 || r1 !== r2);
          const a = additionalData('k', { table: t1, column: c1, rowId: r1 });
          const b = additionalData('k', { table: t2, column: c2, rowId: r2 });
          expect(a.equals(b)).toBe(false);
        },
      ),
    );
    expect(
      additionalData('k', { table: 'ab', column: 'c', rowId: '1' }).equals(
        additionalData('k', { table: 'a', column: 'bc', rowId: '1' }),
      ),
    ).toBe(false);
  });

  it('refuses contexts that do not name a table, a column and a row', () => {
    for (const bad of [
      { table: '', column: 'email', rowId: '1' },
      { table: 'users', column: 'Email', rowId: '1' },
      { table: 'users; drop', column: 'email', rowId: '1' },
      { table: 'users', column: 'email', rowId: '' },
      { table: 'users', column: 'email', rowId: 'x'.repeat(257) },
      { table: 'users', column: 'email', rowId: '\uD800' },
    ]) {
      expect(() => sealField('x', bad, dataKey), JSON.stringify(bad)).toThrow(
        InvalidFieldContextError,
      );
    }
  });
});
