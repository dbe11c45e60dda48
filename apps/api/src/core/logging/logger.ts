import { randomUUID } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import type { FastifyServerOptions } from 'fastify';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { currentRequestId } from '../http/request-context';

/**
 * Field names whose values must never reach a log line: credentials, tokens, cookies and personal
 * data. They are redacted wherever they appear (top level and two levels down).
 */
export const REDACTED_KEYS = [
  'password',
  'currentPassword',
  'newPassword',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  'clientSecret',
  'client_secret',
  'apiKey',
  'authorization',
  'cookie',
  'set-cookie',
  'email',
  'phone',
  'firstName',
  'lastName',
  'fullName',
  'address',
  'line1',
  'line2',
  'postalCode',
  'iban',
  'cardNumber',
  'databaseUrl',
  'redisUrl',
] as const;

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of REDACTED_KEYS) {
    const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    const dot = k.startsWith('[') ? '' : '.';
    paths.push(k, `*${dot}${k}`, `*.*${dot}${k}`);
  }
  paths.push('req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]');
  return paths;
}

/** Options of {@link loggerOptions} beyond the level. */
export interface LoggerExtras {
  /**
   * Turns the client address of request lines into a keyed pseudonym (an IP address is personal
   * data); without it the address is left out of request lines altogether.
   */
  clientAddress?: (ip: string) => string | null;
}

/** pino options: JSON lines, redaction, the request id on every line logged inside a request. */
export function loggerOptions(level: string, extras: LoggerExtras = {}): LoggerOptions {
  const client = extras.clientAddress;
  return {
    level,
    messageKey: 'msg',
    base: { service: 'api' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths(), censor: '[REDACTED]' },
    mixin() {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
    serializers: {
      err: pino.stdSerializers.err,
      // Only what is needed to follow a request; headers are left out entirely.
      req: (req: { method: string; url: string; ip?: string }) => ({
        method: req.method,
        url: req.url,
        ...(client && req.ip ? { client: client(req.ip) } : {}),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}

/** Creates the process logger (optionally writing to `destination`, for tests). */
export function createLogger(
  level: string,
  destination?: DestinationStream,
  extras: LoggerExtras = {},
): Logger {
  const options = loggerOptions(level, extras);
  return destination ? pino(options, destination) : pino(options);
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{8,128}$/;

/**
 * Fastify's per-request child logger (`childLoggerFactory`): the same child as Fastify's default,
 * without pino's redaction pass over the `reqId` binding — that pass walks every redact path and
 * costs ~30 µs per request. A request id is either validated by {@link requestIdFrom} or a UUID
 * (letters, digits, `.`, `_`, `-`): it can hold no secret and needs no escaping. Any other binding
 * takes pino's normal, redacted path.
 */
export const requestChildLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  bindings,
  options,
) => {
  const { reqId, ...others } = bindings as Record<string, unknown>;
  if (typeof reqId !== 'string' || !REQUEST_ID_PATTERN.test(reqId)) {
    return logger.child(bindings, options);
  }
  const child = logger.child(others, options);
  const chindings = child as unknown as Record<symbol, string | undefined>;
  chindings[pino.symbols.chindingsSym] =
    `${chindings[pino.symbols.chindingsSym] ?? ''},"reqId":"${reqId}"`;
  return child;
};

/**
 * Request ids: a well-formed `X-Request-Id` from our own proxies is kept so traces join up; anything
 * else (missing, too long, odd characters that could forge log lines) is replaced by a UUID.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID_PATTERN.test(header) ? header : randomUUID();
}

/** Routes NestJS's own log calls (bootstrap, errors) through pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
