import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app';
import { TestRoutesModule } from '../support/test-routes.module';

let t: TestApp;
const http = () => request(t.app.getHttpServer());

beforeAll(async () => {
  t = await startTestApp({ extraImports: [TestRoutesModule], env: { BODY_LIMIT_BYTES: '2048' } });
});
afterAll(async () => {
  await t.close();
});

const REQUIRED_HEADERS: Record<string, RegExp> = {
  'content-security-policy': /^default-src 'none';\s*frame-ancestors 'none'$/,
  'strict-transport-security': /^max-age=63072000; includeSubDomains$/,
  'x-content-type-options': /^nosniff$/,
  'referrer-policy': /^strict-origin-when-cross-origin$/,
  'x-frame-options': /^DENY$/,
  'x-request-id': /^[\w.-]{8,128}$/,
};

function expectSecurityHeaders(headers: Record<string, unknown>): void {
  for (const [name, pattern] of Object.entries(REQUIRED_HEADERS)) {
    expect(headers[name], name).toMatch(pattern);
  }
  expect(headers['x-powered-by']).toBeUndefined();
  expect(headers.server).toBeUndefined();
}

function expectErrorBody(body: unknown, code: string): void {
  expect(body).toEqual({
    error: { code, message: expect.any(String), requestId: expect.any(String) },
  });
}

describe('security headers', () => {
  it('are on 200 responses', async () => {
    expectSecurityHeaders((await http().get('/api/health/live').expect(200)).headers);
  });
  it('are on 404 responses, which use the error envelope', async () => {
    const response = await http().get('/api/does-not-exist').expect(404);
    expectSecurityHeaders(response.headers);
    expectErrorBody(response.body, 'NOT_FOUND');
    expect(response.headers['cache-control']).toBe('no-store');
  });
  it('are on 500 responses, which show no stack trace or internal detail', async () => {
    const response = await http().get('/api/test/boom').expect(500);
    expectSecurityHeaders(response.headers);
    expectErrorBody(response.body, 'INTERNAL_ERROR');
    expect(response.text).not.toMatch(/10\.0\.3\.7|storefront_app|\/srv\/|\.ts:|at \w+ \(/);
    expect(response.body.error.requestId).toBe(response.headers['x-request-id']);
  });
});

describe('request bodies', () => {
  it('accept a valid JSON body', async () => {
    await http()
      .post('/api/test/echo')
      .send({ name: 'Mug', quantity: 2 })
      .expect(201, { name: 'Mug', quantity: 2 });
  });
  it('reject unknown fields (no mass assignment)', async () => {
    const response = await http()
      .post('/api/test/echo')
      .send({ name: 'Mug', quantity: 2, price: 0, isAdmin: true })
      .expect(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(response.body.error.issues).toEqual([
      {
        path: 'body',
        rule: 'unknown_field',
        message: expect.stringMatching(/price|isAdmin|Unrecognized/),
      },
    ]);
  });
  it('reject wrong types and name the field', async () => {
    const response = await http()
      .post('/api/test/echo')
      .send({ name: 'Mug', quantity: 1.5 })
      .expect(400);
    expect(response.body.error.issues[0].path).toBe('quantity');
  });
  it('refuse text/plain on a JSON route with 415', async () => {
    const response = await http()
      .post('/api/test/echo')
      .set('content-type', 'text/plain')
      .send('{"name":"Mug","quantity":1}')
      .expect(415);
    expectErrorBody(response.body, 'UNSUPPORTED_MEDIA_TYPE');
  });
  it('refuse form posts with 415', async () => {
    await http()
      .post('/api/test/echo')
      .type('form')
      .send({ name: 'Mug', quantity: '1' })
      .expect(415);
  });
  it('refuse malformed JSON with a 400, not a 500', async () => {
    const response = await http()
      .post('/api/test/echo')
      .set('content-type', 'application/json')
      .send('{"name": ')
      .expect(400);
    expectErrorBody(response.body, 'MALFORMED_BODY');
  });
  it('refuse bodies over the size limit with 413', async () => {
    const response = await http()
      .post('/api/test/echo')
      .send({ name: 'x'.repeat(5000), quantity: 1 })
      .expect(413);
    expectErrorBody(response.body, 'PAYLOAD_TOO_LARGE');
  });
  it('refuse a prototype-pollution payload', async () => {
    const response = await http()
      .post('/api/test/echo')
      .set('content-type', 'application/json')
      .send('{"name":"Mug","quantity":1,"__proto__":{"isAdmin":true}}');
    expect(response.status).toBe(400);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });
});

describe('CORS', () => {
  it('is closed: no cross-origin grant on preflight or on a simple request', async () => {
    const preflight = await http()
      .options('/api/products')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'GET');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await http().get('/api/health/live').set('Origin', 'https://evil.example');
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('request ids', () => {
  it('keep a well-formed incoming id and replace a forged one', async () => {
    const kept = await http().get('/api/health/live').set('X-Request-Id', 'edge-abc12345');
    expect(kept.headers['x-request-id']).toBe('edge-abc12345');
    for (const forgedId of ['x" {"level":60,"msg":"fake"}', 'a'.repeat(300), 'short']) {
      const forged = await http().get('/api/health/live').set('X-Request-Id', forgedId);
      expect(forged.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('caching of non-public responses', () => {
  it('is forbidden by default', async () => {
    expect((await http().get('/api/health/live')).headers['cache-control']).toBe('no-store');
  });
});

describe('deny by default', () => {
  it('refuses a route that declares neither @Public() nor permissions', async () => {
    const response = await http().get('/api/test/undeclared');
    expect(response.status).toBe(500);
    expect(response.text).not.toContain('should never be served');
  });
});

describe('429 responses', () => {
  it('carry the security headers and the error envelope', async () => {
    const limited = await startTestApp({ env: { RATE_LIMIT_DEFAULT: '2/60' } });
    try {
      const client = () => request(limited.app.getHttpServer());
      await client().get('/api/categories').expect(200);
      await client().get('/api/categories').expect(200);
      const response = await client().get('/api/categories').expect(429);
      expectSecurityHeaders(response.headers);
      expectErrorBody(response.body, 'RATE_LIMITED');
    } finally {
      await limited.close();
    }
  });
});
