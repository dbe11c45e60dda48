import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLog, type CapturedLog } from '../audit/log-capture';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
let log: CapturedLog;

beforeAll(async () => {
  log = captureLog();
  t = await startTestApp({
    logger: log.logger,
    env: { RATE_LIMIT_DEFAULT: '2/60', RATE_LIMIT_SEARCH: '2/60' },
  });
});
afterAll(async () => {
  await t.close();
});

/** The `rate_limit.exceeded` lines logged for one response's request. */
const refusalsOf = (response: request.Response) =>
  log
    .lines()
    .filter(
      (l) =>
        l.securityEvent === 'rate_limit.exceeded' &&
        l.requestId === response.headers['x-request-id'],
    );

describe('rate-limit refusals are security events', () => {
  it('reports each 429 as one rate_limit.exceeded line naming the limit, with a pseudonymous client', async () => {
    const http = () => request(t.app.getHttpServer());
    await http().get('/api/categories').expect(200);
    await http().get('/api/categories').expect(200);
    const refused = await http().get('/api/categories').expect(429);
    const lines = refusalsOf(refused);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ outcome: 'failure', details: { limit: 'default' } });
    expect(JSON.stringify(lines[0])).not.toContain('127.0.0.1');
  });

  it('reports a request refused by two limits once, naming the first', async () => {
    // Spent already by the test above: the default limit; this search also spends its own.
    const http = () => request(t.app.getHttpServer());
    for (const q of ['wool', 'linen']) await http().get(`/api/products?q=${q}`).expect(429);
    const refused = await http().get('/api/products?q=boots').expect(429);
    const lines = refusalsOf(refused);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ details: { limit: 'default' } });
  });
});
