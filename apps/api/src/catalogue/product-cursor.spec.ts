import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeCursor, encodeCursor } from './product-cursor';

const id = '2f1c6c3e-8a4b-4c1e-9d2a-0b7e5f3a1c9d';

describe('product cursor', () => {
  it('round-trips for every sort', () => {
    for (const cursor of [
      { sort: 'price_asc' as const, value: 1999, id },
      { sort: 'newest' as const, value: '2026-01-02 03:04:05.123456+00', id },
      { sort: 'name_asc' as const, value: "Men's Wool Jumper", id },
      { sort: 'relevance' as const, value: '0.123456', id },
    ]) {
      expect(decodeCursor(encodeCursor(cursor), cursor.sort)).toEqual(cursor);
    }
  });

  it('refuses a cursor made for another sort order', () => {
    const raw = encodeCursor({ sort: 'price_asc', value: 100, id });
    expect(() => decodeCursor(raw, 'price_desc')).toThrow(
      expect.objectContaining({ code: 'INVALID_CURSOR' }),
    );
  });

  it.each([
    ['not base64 json', 'bm90IGpzb24'],
    [
      'sql in the value',
      Buffer.from(JSON.stringify({ s: 'price_asc', v: '1; DROP TABLE product', id })).toString(
        'base64url',
      ),
    ],
    [
      'sql in the id',
      Buffer.from(JSON.stringify({ s: 'price_asc', v: 1, id: "x' OR '1'='1" })).toString(
        'base64url',
      ),
    ],
    [
      'an extra field',
      Buffer.from(JSON.stringify({ s: 'price_asc', v: 1, id, x: 1 })).toString('base64url'),
    ],
    [
      'a fractional price',
      Buffer.from(JSON.stringify({ s: 'price_asc', v: 1.5, id })).toString('base64url'),
    ],
  ])('refuses %s', (_name, raw) => {
    expect(() => decodeCursor(raw, 'price_asc')).toThrow(
      expect.objectContaining({ code: 'INVALID_CURSOR' }),
    );
  });

  it('never throws anything but INVALID_CURSOR on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        try {
          decodeCursor(Buffer.from(raw).toString('base64url'), 'newest');
        } catch (error) {
          expect(error).toMatchObject({ code: 'INVALID_CURSOR' });
        }
      }),
    );
  });
});
