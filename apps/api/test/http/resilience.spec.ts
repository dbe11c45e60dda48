import request from 'supertest';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ShutdownState } from '../../src/core/http/shutdown-state';
import { startTestApp, type TestApp } from '../support/test-app';
import { TcpProxy } from '../support/tcp-proxy';
import { TestRoutesModule, slowQueryOutcomes } from '../support/test-routes.module';

let t: TestApp | undefined;
let proxy: TcpProxy | undefined;
afterEach(async () => {
  await proxy?.cut();
  await t?.close().catch(() => undefined);
  t = undefined;
  proxy = undefined;
});

describe('health', () => {
  it('is live and ready when PostgreSQL and Redis answer', async () => {
    t = await startTestApp();
    const http = request(t.app.getHttpServer());
    await http.get('/api/health/live').expect(200, { status: 'ok' });
    await http.get('/api/health/ready').expect(200, { status: 'ok' });
  });

  it('is not ready (503) when Redis becomes unreachable, while the catalogue keeps serving', async () => {
    const env = inject('testEnv');
    proxy = await new TcpProxy('127.0.0.1', Number(new URL(env.redisUrl).port || 6379)).start();
    t = await startTestApp({
      env: { REDIS_URL: proxy.wrap(env.redisUrl) },
      extraImports: [TestRoutesModule],
    });
    const http = request(t.app.getHttpServer());
    await http.get('/api/health/ready').expect(200);
    await proxy.cut();
    const ready = await http.get('/api/health/ready').expect(503);
    expect(ready.body.error.code).toBe('NOT_READY');
    expect(ready.headers['retry-after']).toBe('5');
    expect(ready.text).not.toMatch(/redis|6379|ECONNREFUSED/i);
    const listing = await http.get('/api/products?limit=3').expect(200);
    expect(listing.body.items).toHaveLength(3);
    // Sessions need Redis: they fail closed with 503, not 500 and not "no session".
    const session = await http.post('/api/test/session').expect(503);
    expect(session.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(session.headers['retry-after']).toBe('5');
    expect(session.headers['set-cookie']).toBeUndefined();
  });

  it('is not ready (503) when PostgreSQL becomes unreachable', async () => {
    const env = inject('testEnv');
    const db = new URL(env.databaseUrl);
    proxy = await new TcpProxy(db.hostname, Number(db.port || 5432)).start();
    t = await startTestApp({ env: { DATABASE_URL: proxy.wrap(env.databaseUrl) } });
    const http = request(t.app.getHttpServer());
    await http.get('/api/health/ready').expect(200);
    await proxy.cut();
    const ready = await http.get('/api/health/ready').expect(503);
    expect(ready.body.error.code).toBe('NOT_READY');
    // A catalogue read without its database is a 503 in the envelope (retry later), never a 500
    // or a stack trace.
    const listing = await http.get('/api/products?category=men&limit=7');
    expect(listing.status).toBe(503);
    expect(listing.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(listing.headers['retry-after']).toBe('5');
    expect(listing.headers['cache-control']).toBe('no-store');
    expect(listing.text).not.toMatch(/ECONNRESET|5432|at \w+ \(/);
  });

  it('is not ready (503, Retry-After) while draining; other answers carry no Retry-After', async () => {
    t = await startTestApp();
    const http = request(t.app.getHttpServer());
    const live = await http.get('/api/health/live').expect(200);
    expect(live.headers['retry-after']).toBeUndefined();
    const missing = await http.get('/api/products/no-such-product').expect(404);
    expect(missing.headers['retry-after']).toBeUndefined();
    t.app.get(ShutdownState).beforeApplicationShutdown();
    const ready = await http.get('/api/health/ready').expect(503);
    expect(ready.body.error.code).toBe('NOT_READY');
    expect(ready.headers['retry-after']).toBe('5');
  });
});

describe('graceful shutdown', () => {
  it('lets an in-flight request finish', async () => {
    t = await startTestApp({ listen: true, extraImports: [TestRoutesModule] });
    const inFlight = fetch(`${t.url}/api/test/slow`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = t.close();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
    await closing;
    t = undefined;
  });

  it('lets a request whose client went away finish its database work before the stores close', async () => {
    t = await startTestApp({ listen: true, extraImports: [TestRoutesModule] });
    slowQueryOutcomes.length = 0;
    const client = new AbortController();
    const abandoned = fetch(`${t.url}/api/test/slow-query`, { signal: client.signal });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const shutdown = t.app.get(ShutdownState);
    expect(shutdown.requestsInFlight).toBe(1);
    client.abort();
    await expect(abandoned).rejects.toThrow();
    // Its connection is gone: only the in-flight count still holds the shutdown open.
    await t.close();
    t = undefined;
    expect(slowQueryOutcomes).toEqual(['done']);
    expect(shutdown.requestsInFlight).toBe(0);
  });

  it('stops counting a request once it is answered, whatever the answer', async () => {
    t = await startTestApp({ listen: true, extraImports: [TestRoutesModule] });
    const shutdown = t.app.get(ShutdownState);
    expect((await fetch(`${t.url}/api/health/live`)).status).toBe(200);
    expect((await fetch(`${t.url}/api/no-such-route`)).status).toBe(404);
    expect((await fetch(`${t.url}/api/test/boom`)).status).toBe(500);
    const refused = await fetch(`${t.url}/api/test/echo`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(shutdown.requestsInFlight).toBe(0);
  });
});
