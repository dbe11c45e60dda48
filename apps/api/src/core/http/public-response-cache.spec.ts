import { describe, expect, it } from 'vitest';
import { MemoryKeyValueStore } from '../../store/memory-key-value-store';
import { redisKeyOf } from './public-cache';
import { LOCAL_CACHE_LIMITS, PublicResponseCache } from './public-response-cache.service';

async function started(store = new MemoryKeyValueStore()) {
  const cache = new PublicResponseCache(store, null);
  await cache.onModuleInit();
  return { cache, store };
}

const response = (text: string) => ({ etag: `"${text}"`, body: Buffer.from(text) });

describe('public response cache', () => {
  it('serves an entry only under the version it was computed for', async () => {
    const { cache } = await started();
    const v0 = cache.currentVersion()!;
    await cache.put('/api/products', v0, response('a'), 60);
    expect(cache.peek('/api/products', v0)?.body.toString()).toBe('a');
    await cache.invalidate();
    const v1 = cache.currentVersion()!;
    expect(v1).toBeGreaterThan(v0);
    expect(cache.peek('/api/products', v1)).toBeUndefined();
    expect(await cache.get('/api/products', v1, 60)).toBeNull();
  });

  it('bypasses both tiers from the moment an invalidation starts', async () => {
    const { cache } = await started();
    await cache.put('/api/products', cache.currentVersion()!, response('a'), 60);
    const pending = cache.invalidate();
    expect(cache.currentVersion()).toBeNull();
    await pending;
    expect(cache.currentVersion()).not.toBeNull();
  });

  it('fills the in-process tier from Redis, and ignores entries of another format', async () => {
    const store = new MemoryKeyValueStore();
    const writer = await started(store);
    const version = writer.cache.currentVersion()!;
    await writer.cache.put('/api/categories', version, response('tree'), 60);
    const reader = await started(store);
    expect(reader.cache.peek('/api/categories', version)).toBeUndefined();
    expect((await reader.cache.get('/api/categories', version, 60))?.body.toString()).toBe('tree');
    expect(reader.cache.peek('/api/categories', version)?.etag).toBe('"tree"');
    await store.set(
      redisKeyOf('/api/old'),
      JSON.stringify({ v: version, etag: '"x"', body: '{}' }),
      60,
    );
    expect(await reader.cache.get('/api/old', version, 60)).toBeNull();
  });

  it('keeps at most its entry limit, dropping the least recently used', async () => {
    const { cache } = await started();
    const version = cache.currentVersion()!;
    for (let i = 0; i <= LOCAL_CACHE_LIMITS.entries; i++) {
      await cache.put(`/api/products/p${i}`, version, response(String(i)), 60);
      if (i === 0) continue;
      // Keep the first entry in use: the second one is then the least recently used.
      expect(cache.peek('/api/products/p0', version)).toBeDefined();
    }
    expect(cache.peek('/api/products/p0', version)).toBeDefined();
    expect(cache.peek('/api/products/p1', version)).toBeUndefined();
    expect(cache.peek(`/api/products/p${LOCAL_CACHE_LIMITS.entries}`, version)).toBeDefined();
  });

  it('expires in-process entries with their time to live', async () => {
    let now = 1_000_000;
    const store = new MemoryKeyValueStore(() => now);
    const { cache } = await started(store);
    const realNow = Date.now;
    Date.now = () => now;
    try {
      const version = cache.currentVersion()!;
      await cache.put('/api/products', version, response('a'), 60);
      now += 59_000;
      expect(cache.peek('/api/products', version)).toBeDefined();
      now += 2_000;
      expect(cache.peek('/api/products', version)).toBeUndefined();
    } finally {
      Date.now = realNow;
    }
  });
});
