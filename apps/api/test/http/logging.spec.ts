import { Writable } from 'node:stream';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ClientPseudonymiser } from '../../src/audit/client-pseudonymiser';
import { createLogger } from '../../src/core/logging/logger';
import { startTestApp } from '../support/test-app';
import { TestRoutesModule } from '../support/test-routes.module';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('structured logs', () => {
  it('redact credentials, tokens, cookies and personal data at any depth', () => {
    const out = capture();
    const logger = createLogger('info', out.stream);
    logger.info(
      {
        password: 'hunter2',
        user: { email: 'alice@example.com', phone: '+33600000000', address: { line1: '1 rue X' } },
        payment: { client_secret: 'pi_123_secret_456' },
        headers: { cookie: '__Host-sid=abc', authorization: 'Bearer t0k3n' },
      },
      'event',
    );
    const text = JSON.stringify(out.lines());
    for (const secret of [
      'hunter2',
      'alice@example.com',
      '+33600000000',
      'pi_123_secret_456',
      '__Host-sid=abc',
      't0k3n',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[REDACTED]');
  });

  it('carry the request id on every line logged while serving a request, and never a header', async () => {
    const out = capture();
    const t = await startTestApp({
      logger: createLogger('info', out.stream),
      extraImports: [TestRoutesModule],
    });
    try {
      const response = await request(t.app.getHttpServer())
        .get('/api/test/boom')
        .set('Cookie', '__Host-sid=secret-session-id')
        .set('Authorization', 'Bearer secret-token');
      const requestId = response.headers['x-request-id'] as string;
      const lines = out.lines().filter((l) => JSON.stringify(l).includes(requestId));
      expect(lines.length).toBeGreaterThanOrEqual(3);
      const errorLine = lines.find((l) => l.msg === 'unhandled error');
      expect(errorLine).toBeDefined();
      const all = JSON.stringify(out.lines());
      expect(all).not.toContain('secret-session-id');
      expect(all).not.toContain('secret-token');
      for (const line of out.lines().filter((l) => 'req' in l || 'res' in l)) {
        expect(line.requestId ?? line.reqId).toBeDefined();
      }
    } finally {
      await t.close();
    }
  });

  it('write the client address of request lines only as a keyed pseudonym', async () => {
    const out = capture();
    const pseudonymiser = new ClientPseudonymiser('logging-test-pseudonym-key-0123456789');
    const t = await startTestApp({
      logger: createLogger('info', out.stream, {
        clientAddress: (ip) => pseudonymiser.pseudonymise(ip),
      }),
    });
    try {
      await request(t.app.getHttpServer()).get('/api/health/live').expect(200);
      const requestLines = out.lines().filter((l) => 'req' in l);
      expect(requestLines.length).toBeGreaterThan(0);
      for (const line of requestLines) {
        const req = line.req as Record<string, unknown>;
        expect(req.ip).toBeUndefined();
        expect(req.client).toBe(pseudonymiser.pseudonymise('127.0.0.1'));
      }
      expect(JSON.stringify(out.lines())).not.toContain('127.0.0.1');
    } finally {
      await t.close();
    }
  });
});
