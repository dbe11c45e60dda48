import { ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-response';

/**
 * The single exception filter: every error thrown in a route, guard, pipe or interceptor leaves as
 * `{"error":{"code","message","requestId"}}` with the mapped status — never a stack trace or an
 * internal message. Every 503 carries `Retry-After`. Unexpected errors are logged with their stack
 * on the server only.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    sendError(exception, request, reply);
  }
}

/** Sends the error body for `exception`; shared by the Nest filter and Fastify's error handler. */
export function sendError(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body, unexpected, unavailable, retryAfterSeconds } = toErrorResponse(
    exception,
    request.id,
  );
  if (unexpected) {
    request.log.error({ err: exception }, 'unhandled error');
  } else if (unavailable) {
    request.log.warn(
      {
        code: body.error.code,
        dependency: unavailable,
        reason: exception instanceof Error ? exception.message : undefined,
      },
      'request failed: dependency unavailable',
    );
  } else if (status >= 500) {
    request.log.warn({ code: body.error.code }, 'request failed: service unavailable');
  }
  if (reply.sent) return;
  // An error must never be cached, whatever the route declared before failing.
  reply.header('cache-control', 'no-store').removeHeader('etag');
  // A 503 says when to come back (a 429's Retry-After is set by the rate limiter, not here).
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  void reply.code(status).type('application/json; charset=utf-8').send(body);
}
