import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/core/logging/logger';

/** A pino logger writing to memory, and the JSON lines it wrote (each must parse on its own). */
export interface CapturedLog {
  logger: Logger;
  /** The raw text written so far. */
  text(): string;
  lines(): Record<string, unknown>[];
}

/** Captures the application's log lines, as `test/http/logging.spec.ts` does. */
export function captureLog(): CapturedLog {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const text = () => chunks.join('');
  return {
    logger: createLogger('info', stream),
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
