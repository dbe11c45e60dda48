import { describe, expect, it } from 'vitest';
import { cacheKeyOf, etagOf, ifNoneMatchHits } from './public-cache';

describe('public cache helpers', () => {
  it('keys a URL independently of parameter order', () => {
    expect(cacheKeyOf('/api/products?b=1&a=2')).toBe(cacheKeyOf('/api/products?a=2&b=1'));
    expect(cacheKeyOf('/api/products?a=1')).not.toBe(cacheKeyOf('/api/products?a=2'));
    expect(cacheKeyOf('/api/products?facet=x&facet=y')).toBe(
      cacheKeyOf('/api/products?facet=y&facet=x'),
    );
  });

  it('matches If-None-Match lists, weak tags and *', () => {
    const etag = etagOf('{"a":1}');
    expect(ifNoneMatchHits(etag, etag)).toBe(true);
    expect(ifNoneMatchHits(`"other", W/${etag}`, etag)).toBe(true);
    expect(ifNoneMatchHits('*', etag)).toBe(true);
    expect(ifNoneMatchHits('"other"', etag)).toBe(false);
    expect(ifNoneMatchHits(undefined, etag)).toBe(false);
  });
});
