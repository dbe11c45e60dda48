import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AuditKeyRing,
  GENESIS_HASH,
  canonicalJson,
  canonicalRow,
  chainHash,
  keyIdOf,
  type ChainedRow,
} from './audit-chain';
import { ClientPseudonymiser } from './client-pseudonymiser';

const KEY = Buffer.from('k'.repeat(32));
const ROW: ChainedRow = {
  seq: '7',
  occurredAt: '2026-11-20T10:00:00.123Z',
  actorType: 'staff',
  actorId: '0b9e7a3c-51f4-4f59-9d0c-8f4f2b1c6a10',
  action: 'staff.role.changed',
  targetType: 'user',
  targetId: '5d1f2c7e-0a4b-4a8e-9a55-3f7a1d2b9c01',
  client: 'AAAAAAAAAAAAAAAAAAAAAA',
  requestId: 'req-12345678',
  details: { added: ['support'], removed: [] },
  keyId: keyIdOf(KEY),
  prevHash: GENESIS_HASH,
};

describe('canonical encoding', () => {
  it('gives one text per JSON value whatever the key order (jsonb reorders keys)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(value));
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('cannot be made ambiguous by moving text between fields', () => {
    const a = canonicalRow({ ...ROW, targetType: 'user', targetId: 'a","b' });
    const b = canonicalRow({ ...ROW, targetType: 'user","a', targetId: 'b' });
    expect(a).not.toBe(b);
  });
});

describe('chain hash', () => {
  it('changes when any field of the row or the previous hash changes', () => {
    const base = chainHash(KEY, ROW);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    const variants: Partial<ChainedRow>[] = [
      { seq: '8' },
      { occurredAt: '2026-11-20T10:00:00.124Z' },
      { actorType: 'customer' },
      { actorId: null },
      { action: 'staff.account.created' },
      { targetType: 'order' },
      { targetId: 'x' },
      { client: null },
      { requestId: null },
      { details: { added: ['support'], removed: ['x'] } },
      { keyId: '0000000000000000' },
      { prevHash: 'f'.repeat(64) },
    ];
    for (const change of variants) {
      expect(chainHash(KEY, { ...ROW, ...change }), JSON.stringify(change)).not.toBe(base);
    }
  });

  it('depends on the key, so the chain cannot be recomputed without it', () => {
    expect(chainHash(Buffer.from('other-key'.repeat(4)), ROW)).not.toBe(chainHash(KEY, ROW));
  });

  it('keeps earlier keys available for verification after a rotation', () => {
    const ring = new AuditKeyRing('new-key'.repeat(5), ['old-key'.repeat(5)]);
    expect(ring.currentId).toBe(keyIdOf(Buffer.from('new-key'.repeat(5))));
    expect(ring.keyFor(keyIdOf(Buffer.from('old-key'.repeat(5))))).toBeDefined();
    expect(ring.keyFor(keyIdOf(Buffer.from('unknown'.repeat(5))))).toBeUndefined();
  });
});

describe('client pseudonymiser', () => {
  const p = new ClientPseudonymiser('pseudonym-key'.repeat(3));

  it('replaces an address by a keyed 128-bit pseudonym, stable and never the address', () => {
    const value = p.pseudonymise('203.0.113.7');
    expect(value).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(value).not.toContain('203');
    expect(p.pseudonymise('203.0.113.7')).toBe(value);
    expect(p.pseudonymise('::ffff:203.0.113.7')).toBe(value);
    expect(p.pseudonymise('203.0.113.8')).not.toBe(value);
    expect(new ClientPseudonymiser('another-key'.repeat(3)).pseudonymise('203.0.113.7')).not.toBe(
      value,
    );
    expect(p.pseudonymise('2001:DB8::1')).toBe(p.pseudonymise('2001:db8::1'));
  });

  it('gives null for anything that is not an IP address', () => {
    for (const junk of [undefined, null, '', 'localhost', '1.2.3.4\nforged', 'alice@example.com']) {
      expect(p.pseudonymise(junk)).toBeNull();
    }
  });
});
