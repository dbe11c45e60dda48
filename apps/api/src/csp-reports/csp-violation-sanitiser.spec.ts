import { describe, expect, it } from 'vitest';
import { SECURITY_EVENTS } from '../audit/security-event.catalogue';
import type { CspViolation } from './csp-report.schema';
import { sanitiseViolation } from './csp-violation-sanitiser';

const OWN = new Set(['https://shop.example', 'http://127.0.0.1:3000']);

function violation(overrides: Partial<CspViolation> = {}): CspViolation {
  return {
    format: 'report-uri',
    documentUrl: 'https://shop.example/p/merino-jumper',
    blocked: 'inline',
    directive: 'script-src-elem',
    disposition: 'enforce',
    sourceFile: null,
    line: null,
    column: null,
    sample: null,
    ...overrides,
  };
}

/** The details as they would be reported, checked against the catalogue's schema. */
function details(overrides: Partial<CspViolation>) {
  const result = { ...sanitiseViolation(violation(overrides), OWN), count: 1 };
  const parsed = SECURITY_EVENTS['csp.violation.reported'].details.safeParse(result);
  expect(parsed.error?.issues, JSON.stringify(result)).toBeUndefined();
  return result;
}

describe('sanitiseViolation', () => {
  it.each([
    ['inline', 'inline', null],
    ['eval', 'eval', null],
    ['wasm-eval', 'wasm-eval', null],
    ['trusted-types-sink', 'trusted-types-sink', null],
    ['trusted-types-policy', 'trusted-types-policy', null],
    ['self', 'self', null],
    ['', 'none', null],
    [null, 'none', null],
    ['data', 'url', 'data:'],
    ['blob', 'url', 'blob:'],
    ['data:image/png;base64,AAAA', 'url', 'data:'],
    ['blob:https://shop.example/3f2a', 'url', 'blob:'],
    ['chrome-extension://abcdefghijklmnop/inject.js', 'url', 'chrome-extension://abcdefghijklmnop'],
    ['https://evil.example:8443/x/alice%40mail.example?c=1#f', 'url', 'https://evil.example:8443'],
    ['wss://evil.example/socket', 'url', 'wss://evil.example'],
    ['http://[2001:db8::1]:8080/a', 'url', 'http://[2001:db8::1]:8080'],
    ['https://shop.example/assets/app.js?v=1', 'url', 'https://shop.example/assets/app.js'],
    ['not a url at all', 'other', null],
    ['javascript:alert(document.cookie)', 'url', 'javascript:'],
  ])('records blocked %j as %s %j', (blocked, kind, url) => {
    expect(details({ blocked })).toMatchObject({ blocked: kind, blockedUrl: url });
  });

  it('keeps the path of the shop’s own URLs, without query, fragment or unsafe characters', () => {
    const result = details({
      documentUrl: 'https://shop.example/search/caf%C3%A9@home;x=1?q=secret#token=secret',
      sourceFile: 'http://127.0.0.1:3000/assets/entry.client-3f2a.js?token=secret',
    });
    expect(result).toMatchObject({
      ownDocument: true,
      documentPath: '/search/caf___home_x_1',
      sourceFile: 'http://127.0.0.1:3000/assets/entry.client-3f2a.js',
    });
    expect(JSON.stringify(result)).not.toMatch(/secret|@|%/);
  });

  it('cuts a long path to 128 characters', () => {
    const result = details({ documentUrl: `https://shop.example/${'a'.repeat(500)}` });
    expect(result.documentPath).toHaveLength(128);
  });

  it('records the path of the shop’s own pages only', () => {
    for (const documentUrl of ['https://copycat.example/p/x?a=1', 'about:blank', 'nonsense']) {
      expect(details({ documentUrl })).toMatchObject({ ownDocument: false, documentPath: null });
    }
  });

  it.each([
    ['script-src-elem', 'script-src-elem'],
    ['IMG-SRC', 'img-src'],
    ["script-src 'nonce-abc' 'strict-dynamic'", 'script-src'],
    ['require-trusted-types-for', 'require-trusted-types-for'],
    ['x-made-up-directive', 'other'],
    ['script-src\nforged={"securityEvent":"x"}', 'script-src'],
  ])('names directive %j as %s', (directive, name) => {
    expect(details({ directive }).directive).toBe(name);
  });

  it('never records a sample as text: its SHA-256, and for a Trusted Types sink the sink’s name', () => {
    const sample = 'Element innerHTML|<p>Alice Martin, alice@example.com</p>';
    const result = details({ blocked: 'trusted-types-sink', sample });
    expect(result.sink).toBe('Element.innerHTML');
    expect(result.sampleSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(result)).not.toMatch(/Alice|alice/);
    // Only a Trusted Types sink sample names a sink; a script sample never does.
    expect(details({ blocked: 'inline', sample: 'alert|1' }).sink).toBeNull();
    expect(details({ blocked: 'trusted-types-sink', sample: 'x y z|1' }).sink).toBeNull();
    expect(details({ sample: '' }).sampleSha256).toBeNull();
  });

  it('yields details the catalogue accepts whatever the input', () => {
    const hostile = [
      'https://user:pw@shop.example/a b/%0Aforged',
      `https://${'a'.repeat(250)}.example/x`,
      `chrome-extension://${'b'.repeat(300)}/x.js`,
      'file:///etc/passwd',
      'mailto:alice@example.com',
      '\u0000\u2028',
      'https://shop.example/' + '%'.repeat(300),
    ];
    for (const value of hostile) {
      const result = details({ documentUrl: value, blocked: value, sourceFile: value });
      expect(JSON.stringify(result)).not.toMatch(/alice|passwd|user:pw|\\n|\\u0000/);
    }
  });
});
