import { NotFoundException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { describe, expect, it } from 'vitest';
import { DomainError } from './domain-error';
import { toErrorResponse } from './error-response';

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
