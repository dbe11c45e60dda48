import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSerialisedJsonLd, serializeJsonLd, type JsonLdDocument } from './json-ld';

// Built at import, not inside a test: fast-check's first arbitrary of the 'binary' unit builds a
// reverse map of every code point (≈ 1 s on these 2-vCPU machines, once per process), which
// must not eat a test's time budget: under load it took one past its 5 s timeout.
const anyText = fc.string({ unit: 'binary' });

describe('serializeJsonLd', () => {
  it('can never close its <script> element, and parses back to the same value', () => {
    const document = {
      '@type': 'Product',
      name: '</script><script>alert(1)</script><!-- & \u2028\u2029 >',
    };
    const text = serializeJsonLd(document);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(text).toContain('\\u003c/script\\u003e\\u003cscript\\u003ealert(1)');
    expect(JSON.parse(text)).toEqual(document);
  });

  it('escapes every dangerous character of any string, losslessly', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), anyText), (values) => {
        const document: JsonLdDocument = { '@type': 'Thing', ...values };
        const text = serializeJsonLd(document);
        expect(text).not.toMatch(/[<>&\u2028\u2029]/);
        expect(JSON.parse(text)).toEqual(document);
        expect(isSerialisedJsonLd(text)).toBe(true);
      }),
    );
  });
});

describe('the storefront-jsonld policy rule (isSerialisedJsonLd)', () => {
  it.each([
    ['script source', 'alert(1)'],
    ['HTML', '<img src=x onerror=alert(1)>'],
    ['JSON with a raw script end tag', '{"name":"</script><script>alert(1)</script>"}'],
    ['JSON with a raw ampersand', '{"name":"a & b"}'],
    ['JSON with a raw line separator', '{"name":"a\u2028b"}'],
    ['a JSON string, not an object', '"text"'],
    ['a JSON array', '[{"@type":"Thing"}]'],
    ['nothing', ''],
    ['unterminated JSON', '{"name":'],
  ])('refuses %s', (_label, text) => {
    expect(isSerialisedJsonLd(text)).toBe(false);
  });

  it('accepts what serializeJsonLd writes', () => {
    expect(isSerialisedJsonLd(serializeJsonLd({ '@type': 'Thing', name: '<b>' }))).toBe(true);
  });
});
