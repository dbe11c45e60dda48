import { describe, expect, it } from 'vitest';
import { RETURN_TO_MAX_LENGTH, returnToOr, safeReturnTo } from './return-to';

describe('safeReturnTo (open-redirect guard of ?returnTo=, ASVS 3.7.2)', () => {
  it.each([
    '/en',
    '/fr',
    '/en/account',
    '/fr/account/orders',
    '/en/account/orders/0b6f3c3e-2f6f-4f7e-9c43-0d4b8a0c5f11',
    '/en/checkout',
    '/en/c/shoes?sort=price_asc&facet=colour:red',
    '/en?x=1',
    '/en/search?q=blue%20shoes',
  ])('accepts the shop page %s unchanged', (value) => {
    expect(safeReturnTo(value)).toBe(value);
  });

  it.each([
    // Absolute and scheme-relative URLs.
    'https://evil.example/en',
    'http://evil.example',
    '//evil.example',
    '//evil.example/en',
    '///evil.example',
    'javascript:alert(1)',
    'data:text/html,hi',
    // Backslashes, which browsers treat as slashes.
    '/\\evil.example',
    '\\\\evil.example',
    '/en\\..\\..\\evil',
    '\\/evil.example',
    // Whitespace and controls that URL parsers strip.
    '/\t/evil.example',
    ' /en',
    '/en /x',
    '/\n/evil.example',
    '/en\u0000',
    // Encoded tricks.
    '/%2f%2fevil.example',
    '/%2F%2Fevil.example',
    '/en/%2f%2fevil.example',
    '/%5cevil.example',
    '/en/%5C%5Cevil',
    '/en/%2e%2e/%2e%2e/evil',
    '/en/%252f%252fevil.example',
    '/en/%09',
    // Not under a language of the shop, or outside the shop.
    '/',
    '/api/auth/logout',
    '/de/account',
    '/english',
    '/EN/account',
    'en/account',
    'evil.example',
    '',
    // Path games the parser would rewrite.
    '/en/../api/auth/session',
    '/en/./account',
    '/en//evil.example',
    // Fragments and Unicode look-alikes.
    '/en/account#x',
    '/en/аccount',
    '/en／／evil.example',
    // Loops.
    '/en/account/sign-in',
    '/fr/account/sign-in?returnTo=/fr',
    '/en/account/sign-out',
  ])('refuses %j', (value) => {
    expect(safeReturnTo(value)).toBeNull();
  });

  it('refuses what is not a string, and anything longer than the limit', () => {
    expect(safeReturnTo(undefined)).toBeNull();
    expect(safeReturnTo(null)).toBeNull();
    expect(safeReturnTo(['/en'])).toBeNull();
    expect(safeReturnTo(`/en/${'a'.repeat(RETURN_TO_MAX_LENGTH)}`)).toBeNull();
    expect(safeReturnTo(`/en/${'a'.repeat(RETURN_TO_MAX_LENGTH - 4)}`)).not.toBeNull();
  });

  it('falls back when refused or absent', () => {
    expect(returnToOr('//evil.example', '/en/account')).toBe('/en/account');
    expect(returnToOr(null, '/fr/account')).toBe('/fr/account');
    expect(returnToOr('/en/account/orders', '/en/account')).toBe('/en/account/orders');
  });
});
