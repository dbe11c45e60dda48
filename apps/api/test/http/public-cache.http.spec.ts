import { Injectable, Module, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { DomainError } from '../../src/core/errors/domain-error';
import { TcpProxy } from '../support/tcp-proxy';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * In-process hits of `@PublicCache()` routes are answered before Nest's pipeline (see
 * public-cache-fast-path.ts). These tests prove that such hits keep every control: security
 * headers, conditional GET, rate limits and every global guard, and that
 * the cache is bypassed when its invalidation channel may have been lost.
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
    const shared = await second.get(url).expect(200);
    expect(shared.headers['x-cache']).toBe('hit');
    expect(Buffer.from(shared.text, 'utf8').equals(Buffer.from(again.text, 'utf8'))).toBe(true);
    expect(shared.headers.etag).toBe(again.headers.etag);
    expect(shared.headers['content-length']).toBe(again.headers['content-length']);
  });
});
