import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createLogger, requestChildLogger } from './logger';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { stream, lines };
}

describe('the per-request child logger', () => {
  const child = (bindings: Record<string, unknown>) => {
    const out = capture();
    const logger = createLogger('info', out.stream);
    const made = requestChildLogger.call(
      {} as FastifyInstance,
      logger,
      bindings,
      {},
      undefined as never,
    );
    return { logger, made, out };
  };

  it("writes exactly the lines of pino's own child, redaction included", () => {
    const fast = child({ reqId: 'req-0123456789' });
    const slow = capture();
    const reference = createLogger('info', slow.stream).child({ reqId: 'req-0123456789' });
    for (const target of [fast.made, reference]) {
      target.info({ user: { email: 'alice@example.com' }, password: 'hunter2' }, 'event');
    }
    const strip = (line: Record<string, unknown>) => ({ ...line, time: undefined });
    expect(fast.out.lines().map(strip)).toEqual(slow.lines().map(strip));
    expect(fast.out.lines()[0]).toMatchObject({ reqId: 'req-0123456789', password: '[REDACTED]' });
  });

  it("leaves anything that is not a well-formed request id to pino's redacting path", () => {
    const odd = child({ reqId: 'x"}, "admin": true, "y": "' });
    odd.made.info('event');
    const [line] = odd.out.lines();
    expect(line?.admin).toBeUndefined();
    expect(line?.reqId).toBe('x"}, "admin": true, "y": "');
  });
});
