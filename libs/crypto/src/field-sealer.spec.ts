import { createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldDecryptionError, InvalidPlaintextError } from './crypto-errors';
import { openField, sealField } from './field-sealer';
import {
  additionalData,
  formatSealedValue,
  parseSealedValue,
  type SealContext,
} from './sealed-value';

const key = createSecretKey(randomBytes(32));
const dataKey = { id: 'k1', key };

const identifier = fc.stringMatching(/^[a-z_][a-z0-9_]{0,20}$/);
const contextArb: fc.Arbitrary<SealContext> = fc.record({
  table: identifier,
  column: identifier,
  rowId: fc.oneof(fc.uuid(), fc.string({ unit: 'binary', minLength: 1, maxLength: 40 })),
});
const plaintextArb = fc.string({ unit: 'binary', maxLength: 300 });

function flipBit(bytes: Buffer, bit: number): Buffer {
  const copy = Buffer.from(bytes);
  const index = Math.floor(bit / 8) % copy.length;
  copy[index] = (copy[index] ?? 0) ^ (1 << (bit % 8));
  return copy;
}

describe('sealField / openField', () => {
  it('round-trips every well-formed string in every context (property)', () => {
    fc.assert(
      fc.property(plaintextArb, contextArb, (plaintext, context) => {
        const sealed = sealField(plaintext, context, dataKey);
        expect(openField(parseSealedValue(sealed), context, key)).toBe(plaintext);
      }),
      { numRuns: 500 },
    );
  });

  it('is plain AES-256-GCM: an independent decryption with the documented parameters opens it', () => {
    const context = { table: 'users', column: 'email', rowId: '42' };
    const [version, keyId, iv, ciphertext, tag] = sealField(
      'ada@example.com',
      context,
      dataKey,
    ).split('.') as [string, string, string, string, string];
    expect(version).toBe('fe1');
    // AAD written out by hand: uint32 length + UTF-8 bytes of version, key id, table, column, row.
    const aad = Buffer.concat(
      ['fe1', keyId, 'users', 'email', '42'].flatMap((field) => {
        const length = Buffer.alloc(4);
        length.writeUInt32BE(Buffer.byteLength(field));
        return [length, Buffer.from(field)];
      }),
    );
    expect(aad.equals(additionalData(keyId, context))).toBe(true);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
      authTagLength: 16,
    });
    decipher.setAAD(aad);
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const clear = Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64url')),
      decipher.final(),
    ]);
    expect(clear.toString('utf8')).toBe('ada@example.com');
    expect(key.symmetricKeySize).toBe(32);
  });

  it('uses a fresh random 96-bit IV for every value, so equal plaintexts never look equal', () => {
    const context = { table: 'users', column: 'email', rowId: '1' };
    const ivs = new Set<string>();
    const sealedValues = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const sealed = sealField('same@example.com', context, dataKey);
      sealedValues.add(sealed);
      const { iv } = parseSealedValue(sealed);
      expect(iv).toHaveLength(12);
      ivs.add(iv.toString('hex'));
    }
    expect(ivs.size).toBe(2000);
    expect(sealedValues.size).toBe(2000);
  });

  it('fails loudly when any bit of the ciphertext, IV or tag is flipped (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 100 }),
        contextArb,
        fc.constantFrom('ciphertext', 'iv', 'tag'),
        fc.nat(),
        (plaintext, context, part, bit) => {
          const parts = parseSealedValue(sealField(plaintext, context, dataKey));
          const tampered = { ...parts, [part]: flipBit(parts[part], bit) };
          expect(() => openField(tampered, context, key)).toThrow(FieldDecryptionError);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('fails loudly when the value is moved to another table, column or row (AAD, property)', () => {
    fc.assert(
      fc.property(plaintextArb, contextArb, contextArb, (plaintext, original, moved) => {
        fc.pre(
          original.table !== moved.table ||
            original.column !== moved.column ||
            original.rowId !== moved.rowId,
        );
        const parts = parseSealedValue(sealField(plaintext, original, dataKey));
        expect(() => openField(parts, moved, key)).toThrow(FieldDecryptionError);
      }),
      { numRuns: 500 },
    );
  });

  it('binds the key id: relabelling a value with another key id fails even with the same key', () => {
    const context = { table: 'users', column: 'email', rowId: '1' };
    const parts = parseSealedValue(sealField('ada@example.com', context, dataKey));
    // Same key bytes, other label: only the AAD can tell.
    const relabelled = parseSealedValue(formatSealedValue({ ...parts, keyId: 'k2' }));
    expect(() => openField(relabelled, context, key)).toThrow(FieldDecryptionError);
  });

  it('fails loudly under the wrong key', () => {
    const context = { table: 'users', column: 'email', rowId: '1' };
    const parts = parseSealedValue(sealField('ada@example.com', context, dataKey));
    expect(() => openField(parts, context, createSecretKey(randomBytes(32)))).toThrow(
      FieldDecryptionError,
    );
  });

  it('fails on truncated or extended ciphertext (the length is authenticated)', () => {
    const context = { table: 'users', column: 'email', rowId: '1' };
    const parts = parseSealedValue(sealField('ada@example.com', context, dataKey));
    expect(() =>
      openField({ ...parts, ciphertext: parts.ciphertext.subarray(1) }, context, key),
    ).toThrow(FieldDecryptionError);
    expect(() =>
      openField(
        { ...parts, ciphertext: Buffer.concat([parts.ciphertext, Buffer.of(0)]) },
        context,
        key,
      ),
    ).toThrow(FieldDecryptionError);
  });

  it('refuses strings with lone surrogates instead of silently altering them', () => {
    expect(() =>
      sealField('a\uD800b', { table: 'users', column: 'name', rowId: '1' }, dataKey),
    ).toThrow(InvalidPlaintextError);
  });
});
