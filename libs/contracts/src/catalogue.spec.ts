import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ListProductsQuerySchema, ProductListSchema } from './catalogue';
import { intParam } from './query-params';

describe('ListProductsQuerySchema', () => {
  it('parses a full, valid query', () => {
    const parsed = ListProductsQuerySchema.parse({
      q: ' wool ',
      category: 'womens-knitwear',
      facet: ['colour:Navy', 'size:M'],
      minPrice: '1000',
      maxPrice: '5000',
      inStock: 'true',
      sort: 'price_asc',
      limit: '10',
    });
    expect(parsed).toEqual({
      q: 'wool',
      category: 'womens-knitwear',
      facet: [
        { key: 'colour', value: 'Navy' },
        { key: 'size', value: 'M' },
      ],
      minPrice: 1000,
      maxPrice: 5000,
      inStock: true,
      sort: 'price_asc',
      limit: 10,
    });
  });

  it('accepts a single facet as well as a repeated one', () => {
    expect(ListProductsQuerySchema.parse({ facet: 'colour:Red' }).facet).toEqual([
      { key: 'colour', value: 'Red' },
    ]);
  });

  it.each([
    [{ sort: 'price; DROP TABLE product' }],
    [{ sort: 'relevance' }],
    [{ limit: '0' }],
    [{ limit: '101' }],
    [{ limit: '1e2' }],
    [{ minPrice: '-1' }],
    [{ minPrice: '5', maxPrice: '4' }],
    [{ category: "x' OR 1=1--" }],
    [{ cursor: 'abc$%' }],
    [{ facet: 'no-colon' }],
    [{ facet: Array.from({ length: 11 }, () => 'colour:Red') }],
    [{ unknown: 'field' }],
    [{ q: 'x'.repeat(101) }],
  ])('rejects %j', (query) => {
    expect(ListProductsQuerySchema.safeParse(query).success).toBe(false);
  });

  it('never accepts an integer parameter outside its bounds or with non-digits', () => {
    const schema = intParam(1, 100);
    fc.assert(
      fc.property(fc.string(), (raw) => {
        const result = schema.safeParse(raw);
        if (result.success) {
          expect(/^\d+$/.test(raw)).toBe(true);
          expect(result.data).toBeGreaterThanOrEqual(1);
          expect(result.data).toBeLessThanOrEqual(100);
        }
      }),
    );
  });
});

describe('ProductListSchema', () => {
  it('refuses fields that are not part of the contract (no accidental leaks)', () => {
    const base = { items: [], total: 0, nextCursor: null, sort: 'newest', facets: [] };
    expect(ProductListSchema.safeParse(base).success).toBe(true);
    expect(ProductListSchema.safeParse({ ...base, internalCost: 1 }).success).toBe(false);
  });
});
