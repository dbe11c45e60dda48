import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SessionService } from '../../src/session/session.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { TestRoutesModule } from '../support/test-routes.module';

let t: TestApp;
let sessions: SessionService;
let redis: Redis;

beforeAll(async () => {
  t = await startTestApp({
    extraImports: [TestRoutesModule],
    env: { SESSION_IDLE_TIMEOUT_SECONDS: '60', SESSION_ABSOLUTE_TIMEOUT_SECONDS: '300' },
  });
  sessions = t.app.get(SessionService);
  redis = new Redis(inject('testEnv').redisUrl, { keyPrefix: t.config.redis.keyPrefix });
});
afterAll(async () => {
  await redis.quit();
  await t.close();
});

describe('session service (real Redis)', () => {
  it('creates opaque 256-bit ids and stores only their hash', async () => {
    const session = await sessions.create();
    expect(Buffer.from(session.id, 'base64url')).toHaveLength(32);
    expect(await redis.exists(`session:${session.id}`)).toBe(0);
    const hashed = `session:${createHash('sha256').update(session.id).digest('base64url')}`;
    expect(await redis.exists(hashed)).toBe(1);
    const ttl = await redis.ttl(hashed);
    expect(ttl).toBeGreaterThan(50);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('loads a live session and refuses unknown or malformed ids', async () => {
    const session = await sessions.create();
    expect((await sessions.load(session.id))?.record.createdAt).toBe(session.record.createdAt);
    expect(await sessions.load('A'.repeat(43))).toBeNull();
    expect(await sessions.load("'; FLUSHALL")).toBeNull();
    expect(await sessions.load(undefined)).toBeNull();
  });

  it('ends a session at its absolute timeout whatever its activity', async () => {
    const session = await sessions.create();
    session.record.absoluteExpiresAt = Date.now() - 1;
    await sessions.save(session).catch(() => undefined);
    expect(await sessions.load(session.id)).toBeNull();
  });

  it('rotates: the old id stops working, the state moves to the new id', async () => {
    const session = await sessions.create(null, { cart: 'c-1' });
    const rotated = await sessions.rotate(session, 'user-1');
    expect(rotated.id).not.toBe(session.id);
    expect(await sessions.load(session.id)).toBeNull();
    expect((await sessions.load(rotated.id))?.record).toMatchObject({
      userId: 'user-1',
      data: { cart: 'c-1' },
    });
  });

  it('destroys one session, or every session of a user', async () => {
    const a = await sessions.create('user-2');
    const b = await sessions.create('user-2');
    const other = await sessions.create('user-3');
    await sessions.destroy(a);
    expect(await sessions.load(a.id)).toBeNull();
    expect(await sessions.load(b.id)).not.toBeNull();
    expect(await sessions.destroyAllForUser('user-2')).toBe(1);
    expect(await sessions.load(b.id)).toBeNull();
    expect(await sessions.load(other.id)).not.toBeNull();
  });
});

describe('session cookie', () => {
  it('is __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, with no Domain, set only when state is needed', async () => {
    const http = request(t.app.getHttpServer());
    const first = await http.post('/api/test/session').expect(201);
    const cookie = (first.headers['set-cookie'] as unknown as string[])[0]!;
    expect(cookie).toMatch(/^__Host-sid=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).not.toMatch(/Domain=/i);
    const pair = cookie.split(';')[0]!;
    // A state change carrying the cookie must echo the session's CSRF token.
    const state = await http.get('/api/auth/session').set('Cookie', pair).expect(200);
    const again = await http
      .post('/api/test/session')
      .set('Cookie', pair)
      .set('X-CSRF-Token', state.body.csrfToken as string)
      .expect(201);
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(again.body.created).toBe(first.body.created);
  });

  it('is replaced when the presented id is unknown (a planted id is never adopted)', async () => {
    const planted = `__Host-sid=${'B'.repeat(43)}`;
    const response = await request(t.app.getHttpServer())
      .post('/api/test/session')
      .set('Cookie', planted)
      .expect(201);
    const cookie = (response.headers['set-cookie'] as unknown as string[])[0]!;
    expect(cookie).not.toContain('B'.repeat(43));
  });
});
