import { createServer } from 'node:net';
import { NotFoundException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { Redis } from 'ioredis';
import MaxRetriesPerRequestError from 'ioredis/built/errors/MaxRetriesPerRequestError.js';
import pg from 'pg';
import { QueryFailedError } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { DomainError } from './domain-error';
import { ERROR_CATALOGUE } from './error-catalogue';
import { SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS, toErrorResponse } from './error-response';

describe('toErrorResponse', () => {
  it('maps domain errors by code', () => {
    expect(toErrorResponse(new DomainError('PRODUCT_NOT_FOUND'), 'r1')).toEqual({
      status: 404,
      body: {
        error: { code: 'PRODUCT_NOT_FOUND', message: 'Product not found.', requestId: 'r1' },
      },
      unexpected: false,
    });
  });

  it('gives every 503 code a Retry-After of a few seconds, and no other status one', () => {
    expect(SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS).toBe(5);
    const codes = Object.keys(ERROR_CATALOGUE) as (keyof typeof ERROR_CATALOGUE)[];
    const unavailable = codes.filter((code) => ERROR_CATALOGUE[code].status === 503);
    expect(unavailable).toEqual(
      expect.arrayContaining(['SERVICE_UNAVAILABLE', 'NOT_READY', 'PAYMENT_PROVIDER_UNAVAILABLE']),
    );
    for (const code of codes) {
      const { status, retryAfterSeconds } = toErrorResponse(new DomainError(code), 'r');
      expect(retryAfterSeconds, code).toBe(status === 503 ? 5 : undefined);
    }
    // The rate limiter sets the 429's own Retry-After; the error mapping adds none.
    expect(toErrorResponse(new ThrottlerException(), 'r').retryAfterSeconds).toBeUndefined();
  });

  it('maps framework errors to stable codes', () => {
    expect(toErrorResponse(new NotFoundException('Cannot GET /x'), 'r').body.error).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Not found.',
    });
    expect(toErrorResponse(new ThrottlerException(), 'r').status).toBe(429);
    expect(
      toErrorResponse({ statusCode: 415, message: 'Unsupported Media Type: text/plain' }, 'r').body
        .error.code,
    ).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('never passes an internal message through', () => {
    const response = toErrorResponse(
      new Error('password authentication failed for user "app"'),
      'r',
    );
    expect(response).toMatchObject({ status: 500, unexpected: true });
    expect(JSON.stringify(response.body)).not.toContain('password');
    expect(
      toErrorResponse({ statusCode: 400, message: 'Unexpected token } in JSON at position 9' }, 'r')
        .body.error.message,
    ).toBe('The request body could not be parsed.');
  });
});

/** A PostgreSQL error as node-postgres builds it from the server's ErrorResponse. */
function postgresError(code: string, message: string): pg.DatabaseError {
  const error = new pg.DatabaseError(message, 0, 'error');
  error.code = code;
  error.severity = 'FATAL';
  return error;
}

/** The error node-postgres gives when nothing listens on the port. */
async function refusedConnection(): Promise<unknown> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return new pg.Client({ host: '127.0.0.1', port }).connect().catch((error: unknown) => error);
}

/** The error ioredis gives for a command while it is not connected (no offline queue, as ours). */
async function offlineRedisCommand(): Promise<unknown> {
  const client = new Redis({ lazyConnect: true, enableOfflineQueue: false });
  const error = await client.get('k').catch((e: unknown) => e);
  client.disconnect();
  return error;
}

describe('toErrorResponse of an unavailable store', () => {
  const query = 'UPDATE product_variant SET stock = stock - $2 WHERE id = $1';

  it('answers 503 SERVICE_UNAVAILABLE, not 500, when PostgreSQL or Redis is unreachable', async () => {
    const outages: [unknown, string][] = [
      [await refusedConnection(), 'network'],
      [
        new QueryFailedError(query, [], new Error('Connection terminated unexpectedly')),
        'postgresql',
      ],
      [new Error('timeout exceeded when trying to connect'), 'postgresql'],
      [
        new QueryFailedError(
          query,
          [],
          postgresError('57P01', 'terminating connection due to administrator command'),
        ),
        'postgresql',
      ],
      [postgresError('08006', 'connection failure'), 'postgresql'],
      [postgresError('53300', 'sorry, too many clients already'), 'postgresql'],
      [await offlineRedisCommand(), 'redis'],
      [new Error('Connection is closed.'), 'redis'],
      [new MaxRetriesPerRequestError(1), 'redis'],
    ];
    for (const [error, dependency] of outages) {
      const response = toErrorResponse(error, 'r');
      expect(response, String(error)).toEqual({
        status: 503,
        body: {
          error: {
            code: 'SERVICE_UNAVAILABLE',
            message: 'The service is temporarily unavailable.',
            requestId: 'r',
          },
        },
        unexpected: false,
        unavailable: dependency,
        retryAfterSeconds: 5,
      });
    }
  });

  it('keeps other database errors as unexpected 500s', () => {
    for (const error of [
      new QueryFailedError(query, [], postgresError('23505', 'duplicate key value')),
      new QueryFailedError(
        query,
        [],
        postgresError('57014', 'canceling statement due to statement timeout'),
      ),
      new QueryFailedError(query, [], postgresError('28P01', 'password authentication failed')),
      // A SQLSTATE-looking code on something that is not a PostgreSQL error proves nothing.
      Object.assign(new Error('boom'), { code: '08006' }),
    ]) {
      expect(toErrorResponse(error, 'r')).toMatchObject({
        status: 500,
        unexpected: true,
        body: { error: { code: 'INTERNAL_ERROR' } },
      });
    }
  });
});
