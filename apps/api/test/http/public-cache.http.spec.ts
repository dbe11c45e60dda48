import { Injectable, Module, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { DomainError } from '../../src/core/errors/domain-error';
import { cacheKeyOf, redisKeyOf } from '../../src/core/http/public-cache';
import { PublicCacheInterceptor } from '../../src/core/http/public-cache.interceptor';
import { TcpProxy } from '../support/tcp-proxy';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Requests of `@PublicCache()` routes are answered before Nest's pipeline once the route has been
 * served through it (see public-cache-fast-path.ts): in-process hits, and misses. These tests
 * prove that such answers keep every control: security headers, conditional GET, rate limits and
 * every global guard, validation, the error envelope, and that the cache is bypassed when its
 * invalidation channel may have been lost.
 */

let t: TestApp | undefined;
let proxy: TcpProxy | undefined;
afterEach(async () => {
  await t?.close();
  await proxy?.cut();
  t = undefined;
  proxy = undefined;
});

/** Refuses requests carrying `x-test-deny: yes` — a global guard added by some later module. */
@Injectable()
class DenyMarkedGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const deny = context.switchToHttp().getRequest<FastifyRequest>().headers['x-test-deny'];
    if (deny === 'yes') throw new DomainError('FORBIDDEN');
    return true;
  }
}

@Module({ providers: [{ provide: APP_GUARD, useClass: DenyMarkedGuard }] })
class DenyGuardModule {}

/**
 * Resolves once the shared Redis tier (keys under `prefix`) holds the entry of every one of `urls`.
 * An instance stores a response after it has sent it, so another instance asked at once may still
 * miss it: a test of what the other instance serves waits for the entry first.
 */
async function storedInRedis(prefix: string, ...urls: string[]): Promise<void> {
  const redis = new Redis(inject('testEnv').redisUrl, { keyPrefix: prefix });
  try {
    const keys = urls.map((url) => redisKeyOf(cacheKeyOf(url)));
    await vi.waitFor(
      async () => {
        expect(await redis.exists(...keys)).toBe(keys.length);
      },
      { timeout: 5_000, interval: 10 },
    );
  } finally {
    redis.disconnect();
  }
}

describe('public cache hits', () => {
  it('carry the security headers, the request id and the cache headers, and answer 304', async () => {
    t = await startTestApp();
    const http = request(t.app.getHttpServer());
    // Stored on its second miss (cache admission), served from the cache from the third request.
    await http.get('/api/products?category=shoes&limit=5').expect(200);
    const miss = await http.get('/api/products?category=shoes&limit=5').expect(200);
    expect(miss.headers['x-cache']).toBe('miss');
    const hit = await http.get('/api/products?limit=5&category=shoes').expect(200);
    expect(hit.headers['x-cache']).toBe('hit');
    expect(hit.body).toEqual(miss.body);
    expect(hit.headers.etag).toBe(miss.headers.etag);
    for (const name of [
      'content-security-policy',
      'strict-transport-security',
      'x-content-type-options',
      'x-frame-options',
      'referrer-policy',
      'cache-control',
      'content-type',
    ]) {
      expect(hit.headers[name], name).toBe(miss.headers[name]);
    }
    expect(hit.headers['x-request-id']).toMatch(/^[\w.-]{8,128}$/);
    expect(hit.headers['x-request-id']).not.toBe(miss.headers['x-request-id']);
    const notModified = await http
      .get('/api/products?category=shoes&limit=5')
      .set('If-None-Match', miss.headers.etag as string)
      .expect(304);
    expect(notModified.headers['content-security-policy']).toBeDefined();
  });

  it('count against the default limit, and are refused with 429 once it is spent', async () => {
    t = await startTestApp({ env: { RATE_LIMIT_DEFAULT: '4/60' } });
    const http = request(t.app.getHttpServer());
    await http.get('/api/products?limit=2').expect(200);
    await http.get('/api/products?limit=2').expect(200);
    for (let i = 0; i < 2; i++) {
      const hit = await http.get('/api/products?limit=2').expect(200);
      expect(hit.headers['x-cache']).toBe('hit');
    }
    const limited = await http.get('/api/products?limit=2').expect(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['content-security-policy']).toBeDefined();
  });

  it('count against the search limit when they are searches', async () => {
    t = await startTestApp({ env: { RATE_LIMIT_DEFAULT: '1000/60', RATE_LIMIT_SEARCH: '4/60' } });
    const http = request(t.app.getHttpServer());
    await http.get('/api/products?q=wool').expect(200);
    await http.get('/api/products?q=wool').expect(200);
    await http.get('/api/products?q=wool').expect(200);
    expect((await http.get('/api/products?q=wool').expect(200)).headers['x-cache']).toBe('hit');
    await http.get('/api/products?q=wool').expect(429);
    await http.get('/api/products?category=women').expect(200);
  });

  it('pass every global guard, including ones added later', async () => {
    t = await startTestApp({ extraImports: [DenyGuardModule] });
    const http = request(t.app.getHttpServer());
    await http.get('/api/categories').expect(200);
    await http.get('/api/categories').expect(200);
    expect((await http.get('/api/categories').expect(200)).headers['x-cache']).toBe('hit');
    const denied = await http.get('/api/categories').set('x-test-deny', 'yes').expect(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
  });

  it('stop while the Redis connection is lost (an invalidation could be missed)', async () => {
    const env = inject('testEnv');
    proxy = await new TcpProxy('127.0.0.1', Number(new URL(env.redisUrl).port || 6379)).start();
    t = await startTestApp({ env: { REDIS_URL: proxy.wrap(env.redisUrl) } });
    const http = request(t.app.getHttpServer());
    await http.get('/api/categories').expect(200);
    await http.get('/api/categories').expect(200);
    expect((await http.get('/api/categories').expect(200)).headers['x-cache']).toBe('hit');
    await proxy.cut();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const during = await http.get('/api/categories').expect(200);
    expect(during.headers['x-cache']).toBe('miss');
  });
});

/** Answers without the request id, which differs on every answer. */
const withoutRequestId = (body: unknown) => {
  const { error } = body as { error: Record<string, unknown> };
  return { error: { ...error, requestId: undefined } };
};

describe('public cache misses, once their route has been served', () => {
  it('are answered outside Nest’s pipeline, exactly as Nest answers them', async () => {
    const intercept = vi.spyOn(PublicCacheInterceptor.prototype, 'intercept');
    try {
      t = await startTestApp();
      const http = request(t.app.getHttpServer());
      const url = '/api/products?q=wool&limit=7';
      const byNest = await http.get(url).expect(200);
      expect(intercept).toHaveBeenCalledTimes(1);
      // A second app's first answer to the same URL is Nest's too; the first app's next one is not.
      const fast = await http.get(`${url}&inStock=true`).expect(200);
      expect(intercept).toHaveBeenCalledTimes(1);
      expect(fast.headers['x-cache']).toBe('miss');
      const other = await startTestApp();
      try {
        const nest = await request(other.app.getHttpServer())
          .get(`${url}&inStock=true`)
          .expect(200);
        expect(fast.text).toBe(nest.text);
        for (const name of ['etag', 'cache-control', 'content-type', 'content-security-policy']) {
          expect(fast.headers[name], name).toBe(nest.headers[name]);
        }
      } finally {
        await other.close();
      }
      expect(byNest.headers['cache-control']).toBe(fast.headers['cache-control']);
    } finally {
      intercept.mockRestore();
    }
  });

  it('count against the default limit, and are refused with 429 once it is spent', async () => {
    t = await startTestApp({ env: { RATE_LIMIT_DEFAULT: '3/60' } });
    const http = request(t.app.getHttpServer());
    for (const limit of [1, 2, 3]) {
      expect((await http.get(`/api/products?limit=${limit}`).expect(200)).headers['x-cache']).toBe(
        'miss',
      );
    }
    const limited = await http.get('/api/products?limit=4').expect(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('count against the search limit when they are searches', async () => {
    t = await startTestApp({ env: { RATE_LIMIT_DEFAULT: '1000/60', RATE_LIMIT_SEARCH: '2/60' } });
    const http = request(t.app.getHttpServer());
    await http.get('/api/products?q=wool').expect(200);
    await http.get('/api/products?q=linen').expect(200);
    await http.get('/api/products?q=boots').expect(429);
    await http.get('/api/products?category=women').expect(200);
  });

  it('are validated by the global pipe: the same 400 as Nest’s for a malformed or unknown field', async () => {
    t = await startTestApp();
    const http = request(t.app.getHttpServer());
    // Refused by Nest: the route has not been served yet.
    const malformedByNest = await http.get('/api/products?limit=abc').expect(400);
    const unknownByNest = await http.get('/api/products?isAdmin=true').expect(400);
    await http.get('/api/products?limit=3').expect(200);
    const malformed = await http.get('/api/products?limit=abc').expect(400);
    const unknown = await http.get('/api/products?isAdmin=true').expect(400);
    expect(malformed.body.error.code).toBe('VALIDATION_FAILED');
    expect(withoutRequestId(malformed.body)).toEqual(withoutRequestId(malformedByNest.body));
    expect(withoutRequestId(unknown.body)).toEqual(withoutRequestId(unknownByNest.body));
    expect(malformed.headers['cache-control']).toBe('no-store');
  });

  it('answer a missing product with the same 404 as Nest’s', async () => {
    t = await startTestApp();
    const http = request(t.app.getHttpServer());
    const byNest = await http.get('/api/products/no-such-product').expect(404);
    const listing = await http.get('/api/products?limit=1').expect(200);
    await http.get(`/api/products/${listing.body.items[0].slug}`).expect(200);
    const missing = await http.get('/api/products/no-such-product').expect(404);
    expect(withoutRequestId(missing.body)).toEqual(withoutRequestId(byNest.body));
    expect(missing.headers['cache-control']).toBe('no-store');
  });

  it('pass every global guard, including ones added later', async () => {
    t = await startTestApp({ extraImports: [DenyGuardModule] });
    const http = request(t.app.getHttpServer());
    await http.get('/api/products?limit=1').expect(200);
    const denied = await http.get('/api/products?limit=2').set('x-test-deny', 'yes').expect(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
  });

  it('answer 503 in the envelope when PostgreSQL is unreachable, never a 500', async () => {
    const env = inject('testEnv');
    const db = new URL(env.databaseUrl);
    proxy = await new TcpProxy(db.hostname, Number(db.port || 5432)).start();
    t = await startTestApp({ env: { DATABASE_URL: proxy.wrap(env.databaseUrl) } });
    const http = request(t.app.getHttpServer());
    await http.get('/api/products?limit=1').expect(200);
    await proxy.cut();
    const down = await http.get('/api/products?limit=2&category=men').expect(503);
    expect(down.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(down.headers['retry-after']).toBe('5');
    expect(down.headers['cache-control']).toBe('no-store');
    expect(down.text).not.toMatch(/ECONNRESET|5432|at \w+ \(/);
  });
});

describe('the shared Redis tier', () => {
  let other: TestApp | undefined;
  afterEach(async () => {
    await other?.close();
    other = undefined;
  });

  it('stores a URL on its second miss, and serves it to another instance byte for byte', async () => {
    const prefix = `${inject('testEnv').keyPrefix}shared-${randomBytes(4).toString('hex')}:`;
    t = await startTestApp({ env: { REDIS_KEY_PREFIX: prefix } });
    other = await startTestApp({ env: { REDIS_KEY_PREFIX: prefix } });
    const first = request(t.app.getHttpServer());
    const second = request(other.app.getHttpServer());
    // Non-ASCII text (brands such as "Éditions Lumière") must survive the round trip.
    const url = '/api/products?limit=100&sort=name_asc';
    const once = await first.get(url).expect(200);
    expect(once.text).toMatch(/[^\x00-\x7f]/);
    // Asked for once: not stored, in either tier.
    expect((await second.get(url).expect(200)).headers['x-cache']).toBe('miss');
    const again = await first.get(url).expect(200);
    expect(again.headers['x-cache']).toBe('miss');
    await storedInRedis(prefix, url);
    const shared = await second.get(url).expect(200);
    expect(shared.headers['x-cache']).toBe('hit');
    expect(Buffer.from(shared.text, 'utf8').equals(Buffer.from(again.text, 'utf8'))).toBe(true);
    expect(shared.headers.etag).toBe(again.headers.etag);
    expect(shared.headers['content-length']).toBe(again.headers['content-length']);
  });

  it('is read while the guards run on the fast path, but never answers a request they refuse', async () => {
    const prefix = `${inject('testEnv').keyPrefix}shared-${randomBytes(4).toString('hex')}:`;
    // Both instances count against the same Redis counters (same client, same prefix).
    const env = { REDIS_KEY_PREFIX: prefix, RATE_LIMIT_DEFAULT: '7/60' };
    t = await startTestApp({ env });
    other = await startTestApp({ env, extraImports: [DenyGuardModule] });
    const first = request(t.app.getHttpServer());
    const second = request(other.app.getHttpServer());
    const [stored, storedToo] = ['/api/products?limit=3', '/api/products?limit=4'];
    for (const url of [stored, stored, storedToo, storedToo]) await first.get(url).expect(200);
    await storedInRedis(prefix, stored, storedToo);
    // The route is served once through Nest: from now on `other` answers it on the fast path.
    await second.get('/api/products?limit=5').expect(200);
    const denied = await second.get(stored).set('x-test-deny', 'yes').expect(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
    expect(denied.headers.etag).toBeUndefined();
    // The entry was there to be served (from Redis, fetched alongside the guards).
    expect((await second.get(stored).expect(200)).headers['x-cache']).toBe('hit');
    // The 8th request of this client: refused, though its answer sits in the shared tier.
    const limited = await second.get(storedToo).expect(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(limited.headers.etag).toBeUndefined();
  });
});
