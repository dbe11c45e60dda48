import type { ErrorBody, ErrorCode } from '@storefront/contracts';
import { HttpException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { unavailableDependency, type UnavailableDependency } from './dependency-unavailable';
import { DomainError } from './domain-error';
import { ERROR_CATALOGUE, codeForStatus } from './error-catalogue';

/** What leaves the API for a failed request: a status and the stable error body. */
export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  /** True when the error is ours to investigate (a 5xx that was not a planned 503). */
  unexpected: boolean;
  /** Set when a store or another dependency was unreachable (for the log line, never the body). */
  unavailable?: UnavailableDependency;
  /** Seconds a client should wait before retrying: set on every 503 (the `Retry-After` header). */
  retryAfterSeconds?: number;
}

/**
 * `Retry-After` of every 503 (a store outage or failover, the password-hashing queue full, the
 * payment provider away, readiness while starting or draining). Short: these conditions last
 * seconds (a Redis or Aurora failover, a burst of logins, a task being replaced), and a client that
 * honours it comes back once rather than hammering a struggling instance. 429 keeps its own
 * `Retry-After`, computed from the rate-limit window.
 */
export const SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * Turns anything thrown while serving a request into the stable error body. Only messages of
 * {@link DomainError}s and the catalogue reach clients; an internal message never does.
 */
export function toErrorResponse(error: unknown, requestId: string): ErrorResponse {
  let code: ErrorCode;
  let message: string | undefined;
  let issues: DomainError['issues'];
  let unexpected = false;
  let unavailable: UnavailableDependency | null = null;

  if (error instanceof DomainError) {
    code = error.code;
    message = error.message === error.code ? undefined : error.message;
    issues = error.issues;
  } else if (error instanceof ThrottlerException) {
    code = 'RATE_LIMITED';
  } else if (error instanceof HttpException) {
    code = codeForStatus(error.getStatus());
  } else if (isHttpError(error)) {
    // Errors raised by Fastify itself (body parsing, size, media type) carry a 4xx statusCode.
    code = codeForStatus(error.statusCode);
    if (code === 'INTERNAL_ERROR') unexpected = true;
  } else {
    // PostgreSQL or Redis unreachable, or the connection lost mid-request: a retryable 503, not a
    // bug. Anything else unknown is one.
    unavailable = unavailableDependency(error);
    code = unavailable === null ? 'INTERNAL_ERROR' : 'SERVICE_UNAVAILABLE';
  }
  const entry = ERROR_CATALOGUE[code];
  if (code === 'INTERNAL_ERROR') unexpected = true;
  const body: ErrorBody = { error: { code, message: message ?? entry.message, requestId } };
  if (issues && issues.length > 0) body.error.issues = issues;
  return {
    status: entry.status,
    body,
    unexpected,
    ...(unavailable === null ? {} : { unavailable }),
    ...(entry.status === 503 ? { retryAfterSeconds: SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS } : {}),
  };
}

function isHttpError(error: unknown): error is { statusCode: number } {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return false;
  const status = error.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}
