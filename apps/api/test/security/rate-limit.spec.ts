import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function hitUntilLimited(
  send: (i: number) => request.Test,
  max: number,
): Promise<{ status: number; index: number; response: request.Response }> {
  let response = await send(0);
  let i = 0;
  while (response.status !== 429 && i < max) {
    i++;
    response = await send(i);
  }
  return { status: response.status, index: i, response };
}

describe('rate limiting', () => {
  it('answers 429 with Retry-After once the default limit is spent', async () => {
    t = await startTestApp({ env: { RATE_LIMIT_DEFAULT: '5/60' } });
    const http = request(t.app.getHttpServer());
    for (let i = 0; i < 5; i++) await http.get('/api/categories').expect(200);
    const limited = await http.get('/api/categories').expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
  });

  it('counts per client across routes (one bucket per IP for the default limit)', async () => {
    t = await startTestApp({ env: { RATE_LIMIT_DEFAULT: '4/60' } });
    const http = request(t.app.getHttpServer());
    await http.get('/api/categories').expect(200);
    await http.get('/api/products').expect(200);
    await http.get('/api/products?limit=1').expect(200);
    await http.get('/api/categories').expect(200);
    await http.get('/api/products?limit=2').expect(429);
  });

  it('cannot be escaped with a spoofed X-Forwarded-For when no proxy is trusted', async () => {
    t = await startTestApp({ env: { RATE_LIMIT_DEFAULT: '5/60', TRUST_PROXY_HOPS: '0' } });
    const app = t.app;
    const result = await hitUntilLimited(
      (i) =>
        request(app.getHttpServer())
          .get('/api/categories')
          .set('X-Forwarded-For', `203.0.113.${i}`),
      10,
    );
    expect(result.status).toBe(429);
    expect(result.index).toBe(5);
  });

  it('behind one trusted proxy, uses the address that proxy saw, not what the client prepended', async () => {
    t = await startTestApp({ env: { RATE_LIMIT_DEFAULT: '5/60', TRUST_PROXY_HOPS: '1' } });
    const app = t.app;
    // The client forges the left-most entries; our proxy appends the real client (198.51.100.7).
    const result = await hitUntilLimited(
      (i) =>
        request(app.getHttpServer())
          .get('/api/categories')
          .set('X-Forwarded-For', `10.0.0.${i}, 198.51.100.7`),
      10,
    );
    expect(result.index).toBe(5);
    // A different real client (as seen by the proxy) has its own bucket.
    await request(app.getHttpServer())
      .get('/api/categories')
      .set('X-Forwarded-For', '198.51.100.8')
      .expect(200);
  });

  it('applies the tighter search limit only to searches', async () => {
    t = await startTestApp({ env: { RATE_LIMIT_DEFAULT: '1000/60', RATE_LIMIT_SEARCH: '3/60' } });
    const http = request(t.app.getHttpServer());
    for (let i = 0; i < 3; i++) await http.get(`/api/products?q=wool${i}`).expect(200);
    await http.get('/api/products?q=linen').expect(429);
    await http.get('/api/products?category=women').expect(200);
  });

  it('counts a search against every limit it falls under, and asks to wait for the longest', async () => {
    t = await startTestApp({ env: { RATE_LIMIT_DEFAULT: '2/60', RATE_LIMIT_SEARCH: '2/120' } });
    const http = request(t.app.getHttpServer());
    const first = await http.get('/api/products?q=wool').expect(200);
    expect(first.headers['x-ratelimit-remaining']).toBe('1');
    expect(first.headers['x-ratelimit-remaining-search']).toBe('1');
    await http.get('/api/products?q=linen').expect(200);
    // Both limits are spent by this one: the client may come back when both allow it again.
    const limited = await http.get('/api/products?q=boots').expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(60);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(120);
  });

  it('keeps state in Redis, so limits hold across instances', async () => {
    t = await startTestApp({ env: { RATE_LIMIT_DEFAULT: '4/60' } });
    const prefix = t.config.redis.keyPrefix;
    const second = await startTestApp({
      env: { RATE_LIMIT_DEFAULT: '4/60', REDIS_KEY_PREFIX: prefix },
    });
    try {
      await request(t.app.getHttpServer()).get('/api/categories').expect(200);
      await request(second.app.getHttpServer()).get('/api/categories').expect(200);
      await request(t.app.getHttpServer()).get('/api/categories').expect(200);
      await request(second.app.getHttpServer()).get('/api/categories').expect(200);
      await request(t.app.getHttpServer()).get('/api/categories').expect(429);
    } finally {
      await second.close();
    }
  });

  it('never limits the health probes', async () => {
    t = await startTestApp({ env: { RATE_LIMIT_DEFAULT: '2/60' } });
    const http = request(t.app.getHttpServer());
    for (let i = 0; i < 6; i++) await http.get('/api/health/live').expect(200);
  });
});
