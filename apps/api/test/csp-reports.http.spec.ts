import { createHash } from 'node:crypto';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { SKIP_CSRF_TOKEN } from '../src/identity/csrf/csrf.guard';
import { captureLog, type CapturedLog } from './audit/log-capture';
import { Browser } from './support/browser';
import { startTestApp, type TestApp } from './support/test-app';
import { TcpProxy } from './support/tcp-proxy';
import { TestRoutesModule } from './support/test-routes.module';

/*
 * POST /api/csp-reports against the real application (PostgreSQL, Redis). Bodies are shaped
 * exactly as Chromium 156 sent them (captured from /usr/bin/chromium; `csp-reports.browser.spec.ts`
 * has the browser send its own), on a page of the shop's own origin.
 */

const SHOP = 'http://127.0.0.1:3000';
const POLICY =
  "default-src 'self'; script-src 'nonce-x1Ztb2' 'strict-dynamic'; img-src 'self'; require-trusted-types-for 'script'; trusted-types 'none'; report-uri /api/csp-reports; report-to csp";
const SECRET_TOKEN = 'tok_9f8e7d6c5b4a';
const STOLEN = 'alice%40example.com';

/** A `report-uri` report as Chromium sends it: an image blocked by `img-src`. */
function legacyReport(overrides: Record<string, unknown> = {}) {
  return {
    'csp-report': {
      'document-uri': `${SHOP}/p/merino-jumper?q=wool`,
      referrer: '',
      'violated-directive': 'img-src',
      'effective-directive': 'img-src',
      'original-policy': POLICY,
      disposition: 'enforce',
      'blocked-uri': 'https://evil.example/pixel.gif',
      'line-number': 4,
      'column-number': 129,
      'source-file': `${SHOP}/p/merino-jumper`,
      'status-code': 200,
      'script-sample': '',
      ...overrides,
    },
  };
}

/** A Reporting API `csp-violation` report as Chromium sends it. */
function reportingApiReport(body: Record<string, unknown> = {}) {
  return {
    age: 94,
    body: {
      blockedURL: 'inline',
      columnNumber: 22,
      disposition: 'enforce',
      documentURL: `${SHOP}/c/knitwear`,
      effectiveDirective: 'script-src-elem',
      lineNumber: 4,
      originalPolicy: POLICY,
      referrer: '',
      sample: '',
      sourceFile: `${SHOP}/c/knitwear`,
      statusCode: 200,
      ...body,
    },
    type: 'csp-violation',
    url: `${SHOP}/c/knitwear`,
    user_agent: 'Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/156.0.0.0 Safari/537.36',
  };
}

const LEGACY = 'application/csp-report';
const REPORTING = 'application/reports+json';

interface Answer {
  status: number;
  requestId: string;
  headers: Record<string, unknown>;
  text: string;
  body: { error: { code: string; message: string; requestId: string } };
}

/** Sends a report as a browser on the shop's page would (same-origin), with exactly these bytes. */
async function send(
  t: TestApp,
  contentType: string | null,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const response = await t.app
    .getHttpAdapter()
    .getInstance()
    .inject({
      method: 'POST',
      url: '/api/csp-reports',
      headers: {
        origin: SHOP,
        'sec-fetch-site': 'same-origin',
        ...(contentType === null ? {} : { 'content-type': contentType }),
        ...headers,
      },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  return {
    status: response.statusCode,
    requestId: String(response.headers['x-request-id']),
    headers: response.headers,
    text: response.body,
    body: (response.body === '' ? {} : JSON.parse(response.body)) as Answer['body'],
  };
}

/** A minimal valid Reporting API report (for batch sizes). */
function minimalReport(path = '/') {
  return {
    type: 'csp-violation',
    age: 1,
    url: `${SHOP}${path}`,
    user_agent: 'x',
    body: { documentURL: `${SHOP}${path}`, effectiveDirective: 'img-src', disposition: 'enforce' },
  };
}

function cspEvents(log: CapturedLog, requestId?: string) {
  return log
    .lines()
    .filter(
      (l) =>
        l.securityEvent === 'csp.violation.reported' &&
        (requestId === undefined || l.requestId === requestId),
    );
}

/** Audit rows written for a request, or naming the CSP event (other test files write meanwhile). */
async function auditRowsFor(t: TestApp, requestId: string): Promise<number> {
  const rows: { n: number }[] = await t.app
    .get(DataSource)
    .query(
      `SELECT count(*)::int AS n FROM audit_log WHERE request_id = $1 OR action = 'csp.violation.reported'`,
      [requestId],
    );
  return rows[0]!.n;
}

describe('POST /api/csp-reports', () => {
  let t: TestApp;
  let log: CapturedLog;
  beforeAll(async () => {
    log = captureLog();
    t = await startTestApp({
      logger: log.logger,
      extraImports: [TestRoutesModule, DiscoveryModule],
      env: { RATE_LIMIT_CSP_REPORT: '1000/60' },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('accepts a report-uri report (204) and logs it as a log-only security event', async () => {
    const response = await send(t, LEGACY, legacyReport());
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    const events = cspEvents(log, response.requestId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      level: 40, // warn
      msg: 'security event',
      outcome: 'failure',
      actor: { type: 'anonymous', id: null },
      details: {
        format: 'report-uri',
        directive: 'img-src',
        disposition: 'enforce',
        blocked: 'url',
        blockedUrl: 'https://evil.example',
        ownDocument: true,
        documentPath: '/p/merino-jumper',
        sourceFile: `${SHOP}/p/merino-jumper`,
        line: 4,
        column: 129,
        sink: null,
        sampleSha256: null,
        count: 1,
      },
    });
    expect(typeof events[0]!.client).toBe('string');
    expect(events[0]!.client).not.toContain('127.0.0.1');
    // Anyone can send reports: they never become rows of the hash-chained audit trail.
    expect(await auditRowsFor(t, response.requestId)).toBe(0);
  });

  it('accepts a Reporting API batch (204): one event per distinct violation, identical ones counted', async () => {
    const sample = 'Element innerHTML|<p>Alice Martin, 12 rue de la Paix</p>';
    const trustedTypes = reportingApiReport({
      blockedURL: 'trusted-types-sink',
      effectiveDirective: 'require-trusted-types-for',
      sample,
      lineNumber: 2,
      columnNumber: 65,
    });
    const response = await send(t, `${REPORTING}; charset=utf-8`, [
      reportingApiReport(),
      trustedTypes,
      reportingApiReport(),
    ]);
    expect(response.status).toBe(204);
    const events = cspEvents(log, response.requestId);
    expect(events.map((e) => e.details)).toEqual([
      expect.objectContaining({
        format: 'reporting-api',
        directive: 'script-src-elem',
        blocked: 'inline',
        blockedUrl: null,
        documentPath: '/c/knitwear',
        count: 2,
      }),
      expect.objectContaining({
        format: 'reporting-api',
        directive: 'require-trusted-types-for',
        blocked: 'trusted-types-sink',
        sink: 'Element.innerHTML',
        sampleSha256: createHash('sha256').update(sample).digest('hex'),
        count: 1,
      }),
    ]);
    // The sample (the start of the HTML being assigned: possibly a customer's data) is never logged.
    expect(log.text()).not.toContain('Alice Martin');
  });

  it('logs no query string, fragment, foreign path or credentials: a token in document-uri stays out', async () => {
    const response = await send(
      t,
      LEGACY,
      legacyReport({
        'document-uri': `${SHOP}/orders/view?token=${SECRET_TOKEN}#token=${SECRET_TOKEN}`,
        'blocked-uri': `https://user:pw@evil.example/steal/${STOLEN}?session=${SECRET_TOKEN}`,
        'source-file': `${SHOP}/assets/entry.client-3f2a.js?v=${SECRET_TOKEN}`,
        referrer: `${SHOP}/account?token=${SECRET_TOKEN}`,
      }),
    );
    expect(response.status).toBe(204);
    const [event] = cspEvents(log, response.requestId);
    expect(event?.details).toMatchObject({
      documentPath: '/orders/view',
      blockedUrl: 'https://evil.example',
      sourceFile: `${SHOP}/assets/entry.client-3f2a.js`,
    });
    const text = log.text();
    expect(text).not.toContain(SECRET_TOKEN);
    expect(text).not.toContain('alice');
    expect(text).not.toContain('user:pw');
  });

  it('marks a report about a page of another origin as not the shop’s own, without its path', async () => {
    const response = await send(
      t,
      LEGACY,
      legacyReport({ 'document-uri': 'https://copycat.example/p/merino-jumper?ref=1' }),
    );
    expect(response.status).toBe(204);
    const [event] = cspEvents(log, response.requestId);
    expect(event?.details).toMatchObject({ ownDocument: false, documentPath: null });
  });

  it('takes up to 50 reports in a batch, and logs at most 10 distinct lines for one request', async () => {
    const fifty = Array.from({ length: 50 }, (_, i) =>
      minimalReport(`/p/product-${String(i % 12)}`),
    );
    const response = await send(t, REPORTING, fifty);
    expect(response.status).toBe(204);
    const events = cspEvents(log, response.requestId);
    expect(events).toHaveLength(10);
    expect(events.map((e) => (e.details as { count: number }).count)).toEqual([
      5, 5, 4, 4, 4, 4, 4, 4, 4, 4,
    ]);
    const overflow = log
      .lines()
      .filter((l) => l.requestId === response.requestId && l.context === 'CspReports');
    expect(overflow).toEqual([
      expect.objectContaining({ msg: expect.stringMatching(/^2 further distinct CSP violations/) }),
    ]);
  });

  it('accepts a report carrying a live session cookie and no CSRF token (browsers send the page’s cookies)', async () => {
    const browser = new Browser(t.app);
    await browser.post('/api/test/session');
    expect(browser.sid).toBeDefined();
    const response = await send(t, LEGACY, legacyReport(), {
      cookie: `__Host-sid=${browser.sid!}`,
    });
    expect(response.status).toBe(204);
    // The same cookie without a token is refused on any other state change.
    const echo = await browser.post(
      '/api/test/echo',
      { name: 'x', quantity: 1 },
      { withoutCsrf: true },
    );
    expect(echo.status).toBe(403);
  });

  it('is the only route exempt from the CSRF session-token check', () => {
    const discovery = t.app.get(DiscoveryService);
    const scanner = t.app.get(MetadataScanner);
    const exempt: string[] = [];
    for (const wrapper of discovery.getControllers()) {
      const controller = wrapper.metatype as (new () => object) | null;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as object;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (path === undefined) continue;
        const skips =
          Reflect.getMetadata(SKIP_CSRF_TOKEN, handler) === true ||
          Reflect.getMetadata(SKIP_CSRF_TOKEN, controller) === true;
        if (!skips) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const route = `/${String(Reflect.getMetadata(PATH_METADATA, controller))}/${path}`;
        exempt.push(`${method} ${route.replace(/\/+/g, '/').replace(/(.)\/$/, '$1')}`);
      }
    }
    expect(exempt).toEqual(['POST /csp-reports']);
  });

  it('still refuses a report sent from another site (the origin check applies)', async () => {
    const crossSite: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of crossSite) {
      const response = await send(t, LEGACY, legacyReport(), headers);
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('CSRF_REJECTED');
      expect(cspEvents(log, response.requestId)).toHaveLength(0);
    }
  });

  it.each([
    ['application/json', JSON.stringify(legacyReport())],
    ['text/plain', JSON.stringify(legacyReport())],
    ['application/x-www-form-urlencoded', 'csp-report=1'],
    [null, JSON.stringify(legacyReport())],
  ])('refuses %s with 415', async (contentType, body) => {
    const response = await send(t, contentType, body);
    expect(response.status).toBe(415);
    expect(response.body.error).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      requestId: response.requestId,
    });
    expect(cspEvents(log, response.requestId)).toHaveLength(0);
  });

  it('accepts the report media types on no other route (415)', async () => {
    for (const contentType of [LEGACY, REPORTING]) {
      const response = await request(t.app.getHttpServer())
        .post('/api/test/echo')
        .set('Content-Type', contentType)
        .send(JSON.stringify({ name: 'x', quantity: 1 }))
        .expect(415);
      expect(response.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('refuses a body over 16 KiB with 413, far below the API-wide limit', async () => {
    expect(t.config.http.bodyLimitBytes).toBeGreaterThanOrEqual(64 * 1024);
    const report = reportingApiReport({ originalPolicy: 'x'.repeat(6_000) });
    const tooBig = [report, report, report];
    expect(JSON.stringify(tooBig).length).toBeGreaterThan(16 * 1024);
    const response = await send(t, REPORTING, tooBig);
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(cspEvents(log, response.requestId)).toHaveLength(0);
    // The same reports in smaller requests are accepted: the size, not the content, was refused.
    expect((await send(t, REPORTING, [report, report])).status).toBe(204);
  });

  it.each([
    ['invalid JSON', LEGACY, '{"csp-report": {'],
    ['an empty body', LEGACY, ''],
    ['a batch sent as report-uri', LEGACY, [reportingApiReport()]],
    ['a report-uri report sent as a batch', REPORTING, legacyReport()],
    ['an unknown field', LEGACY, legacyReport({ 'session-id': 'abc' })],
    ['no directive', LEGACY, { 'csp-report': { 'document-uri': `${SHOP}/` } }],
    ['a wrong type', LEGACY, legacyReport({ 'line-number': 'four' })],
    ['an oversized field', LEGACY, legacyReport({ 'script-sample': 'z'.repeat(300) })],
    ['another report type', REPORTING, [{ ...reportingApiReport(), type: 'deprecation' }]],
    ['an empty batch', REPORTING, []],
    ['a batch of 51', REPORTING, Array.from({ length: 51 }, () => minimalReport())],
    ['a prototype-poisoning key', LEGACY, '{"csp-report":{},"__proto__":{"polluted":true}}'],
  ])('refuses %s with 400 and logs nothing', async (_case, contentType, body) => {
    const response = await send(t, contentType, body);
    expect(response.status).toBe(400);
    expect(['MALFORMED_BODY', 'VALIDATION_FAILED']).toContain(response.body.error.code);
    expect(response.body.error.requestId).toBe(response.requestId);
    expect(cspEvents(log, response.requestId)).toHaveLength(0);
  });
});

describe('rate limit of POST /api/csp-reports', () => {
  let t: TestApp | undefined;
  let proxy: TcpProxy | undefined;
  afterEach(async () => {
    await proxy?.cut();
    await t?.close().catch(() => undefined);
    t = undefined;
    proxy = undefined;
  });

  it('answers 429 with Retry-After once RATE_LIMIT_CSP_REPORT is spent, and reports it', async () => {
    const log = captureLog();
    t = await startTestApp({
      logger: log.logger,
      env: { RATE_LIMIT_CSP_REPORT: '3/60', RATE_LIMIT_DEFAULT: '1000/60' },
    });
    for (let i = 0; i < 3; i++) expect((await send(t, LEGACY, legacyReport())).status).toBe(204);
    const limited = await send(t, LEGACY, legacyReport());
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(cspEvents(log)).toHaveLength(3);
    const refusals = log
      .lines()
      .filter(
        (l) => l.securityEvent === 'rate_limit.exceeded' && l.requestId === limited.requestId,
      );
    expect(refusals).toEqual([expect.objectContaining({ details: { limit: 'csp-report' } })]);
    // The limit is the reports' own: the same client still browses the catalogue.
    await request(t.app.getHttpServer()).get('/api/categories').expect(200);
  });

  it('fails closed (503) when Redis cannot count, rather than log unthrottled', async () => {
    const env = inject('testEnv');
    proxy = await new TcpProxy('127.0.0.1', Number(new URL(env.redisUrl).port || 6379)).start();
    t = await startTestApp({ env: { REDIS_URL: proxy.wrap(env.redisUrl) } });
    expect((await send(t, LEGACY, legacyReport())).status).toBe(204);
    await proxy.cut();
    const refused = await send(t, LEGACY, legacyReport());
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('SERVICE_UNAVAILABLE');
  });
});
