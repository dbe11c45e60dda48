import { createHmac, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmacBlindIndex, normaliseEmail, normaliseForIndex } from './blind-index';
import { InvalidFieldContextError } from './crypto-errors';
import { developmentKey } from './development-keys';

const key = createSecretKey(randomBytes(32));

// Built at import, not inside a test: fast-check's first arbitrary of the 'binary' unit builds a
// reverse map of every code point (≈ 1 s on these 2-vCPU machines, once per process), which
// must not eat a test's time budget: under load it took one past its 5 s timeout.
const anyText = fc.string({ unit: 'binary' });

describe('HmacBlindIndex', () => {
  it('is deterministic and 256 bits long', () => {
    const index = new HmacBlindIndex(key);
    const digest = index.compute('user-email', 'ada@example.com');
    expect(digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new HmacBlindIndex(key).compute('user-email', 'ada@example.com')).toBe(digest);
  });

  it('is HMAC-SHA-256 under an HKDF-SHA-256 subkey of the purpose (independent computation)', () => {
    const subkey = Buffer.from(
      hkdfSync('sha256', key, Buffer.alloc(0), 'storefront/blind-index/v1/user-email', 32),
    );
    const expected = createHmac('sha256', subkey).update('ada@example.com').digest('base64url');
    expect(new HmacBlindIndex(key).compute('user-email', ' ADA@example.com')).toBe(expected);
  });

  it('finds an email whatever its case, surrounding spaces or Unicode composition', () => {
    const index = new HmacBlindIndex(key);
    const digest = index.compute('user-email', 'jose@example.com'.replace('e@', '\u00e9@'));
    for (const variant of [
      '  JOS\u00c9@Example.COM ',
      'jose\u0301@example.com', // e + combining acute accent (NFD)
      '\tjos\u00e9@example.com\n',
    ]) {
      expect(index.compute('user-email', variant), variant).toBe(digest);
    }
    expect(index.compute('user-email', 'jose@example.com')).not.toBe(digest);
    expect(normaliseEmail(' A\u0301@B.FR ')).toBe('\u00e1@b.fr');
  });

  it('keeps other purposes exact apart from NFC', () => {
    expect(normaliseForIndex('phone', ' +33 1 ')).toBe(' +33 1 ');
    const index = new HmacBlindIndex(key);
    expect(index.compute('customer-ref', 'ABC')).not.toBe(index.compute('customer-ref', 'abc'));
    expect(index.compute('customer-ref', 'e\u0301')).toBe(index.compute('customer-ref', '\u00e9'));
  });

  it('separates purposes: one value gives unrelated digests in two indexes (property)', () => {
    const index = new HmacBlindIndex(key);
    fc.assert(
      fc.property(anyText, (value) => {
        expect(index.compute('user-email', value)).not.toBe(index.compute('staff-email', value));
        expect(index.compute('phone', value)).not.toBe(index.compute('postcode', value));
      }),
    );
  });

  it('gives distinct digests to distinct normalised values (property)', () => {
    const index = new HmacBlindIndex(key);
    fc.assert(
      fc.property(fc.emailAddress(), fc.emailAddress(), (a, b) => {
        fc.pre(normaliseEmail(a) !== normaliseEmail(b));
        expect(index.compute('user-email', a)).not.toBe(index.compute('user-email', b));
      }),
    );
  });

  it('depends on its own key: another key (e.g. an encryption key) gives other digests', () => {
    const kek = developmentKey('local-kek');
    const blind = developmentKey('blind-index');
    expect(kek.equals(blind)).toBe(false);
    const digest = new HmacBlindIndex(blind).compute('user-email', 'ada@example.com');
    expect(new HmacBlindIndex(kek).compute('user-email', 'ada@example.com')).not.toBe(digest);
    // Nor is it a bare, unkeyed or directly-keyed HMAC of the value that someone holding the
    // database could guess: the per-purpose subkey comes from HKDF over the blind-index key.
    expect(createHmac('sha256', blind).update('ada@example.com').digest('base64url')).not.toBe(
      digest,
    );
  });

  it('refuses weak keys and malformed purposes', () => {
    expect(() => new HmacBlindIndex(createSecretKey(randomBytes(16)))).toThrow(TypeError);
    const index = new HmacBlindIndex(key);
    for (const purpose of ['', 'User-Email', 'a b', 'x'.repeat(64)]) {
      expect(() => index.compute(purpose, 'v'), purpose).toThrow(InvalidFieldContextError);
    }
  });
});

describe('developmentKey', () => {
  it('is stable across calls (data written in development survives restarts)', () => {
    expect(developmentKey('local-kek').equals(developmentKey('local-kek'))).toBe(true);
    expect(developmentKey('local-kek').symmetricKeySize).toBe(32);
  });
});
