import type { ErrorCode, FieldIssue } from '@storefront/contracts';

/** A field-level problem attached to a validation error (path, rule, optional limit, message). */
export type { FieldIssue };

/**
 * The one error type services throw. It carries a stable {@link ErrorCode}; the exception filter
 * maps the code to an HTTP status and a public message. Services never throw HTTP exceptions.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly issues?: FieldIssue[],
  ) {
    super(message ?? code);
    this.name = 'DomainError';
  }
}
