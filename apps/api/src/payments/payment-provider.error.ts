import type { ErrorCode } from '@storefront/contracts';
import { DomainError } from '../core/errors/domain-error';

/** Why a call to the payment provider failed, in the shop's words. */
export type PaymentFailureReason =
  /** No answer in time (`STRIPE_TIMEOUT_MS`), after the SDK's own retries. */
  | 'timeout'
  /** The connection failed or broke. */
  | 'connection'
  /** The provider answered 5xx. */
  | 'provider_unavailable'
  /** The provider throttled us (429). */
  | 'rate_limited'
  /** The card was declined. */
  | 'declined'
  /** No such PaymentIntent or refund. */
  | 'not_found'
  /** The object is in a state that does not allow this (e.g. cancelling a succeeded intent,
   * refunding more than was captured). */
  | 'invalid_state'
  /** The idempotency key was used before with other parameters. */
  | 'idempotency_conflict'
  /** The provider refused the request as malformed (a bug on our side). */
  | 'invalid_request'
  /** The key is wrong or revoked. */
  | 'authentication'
  /** The (restricted) key may not do this. */
  | 'permission'
  /** The provider answered something the adapter cannot read. */
  | 'unexpected_response';

const CODE_OF: Record<PaymentFailureReason, ErrorCode> = {
  timeout: 'PAYMENT_PROVIDER_UNAVAILABLE',
  connection: 'PAYMENT_PROVIDER_UNAVAILABLE',
  provider_unavailable: 'PAYMENT_PROVIDER_UNAVAILABLE',
  rate_limited: 'PAYMENT_PROVIDER_UNAVAILABLE',
  declined: 'PAYMENT_DECLINED',
  not_found: 'PAYMENT_NOT_FOUND',
  invalid_state: 'PAYMENT_STATE_CONFLICT',
  idempotency_conflict: 'PAYMENT_PROVIDER_ERROR',
  invalid_request: 'PAYMENT_PROVIDER_ERROR',
  authentication: 'PAYMENT_PROVIDER_ERROR',
  permission: 'PAYMENT_PROVIDER_ERROR',
  unexpected_response: 'PAYMENT_PROVIDER_ERROR',
};

/** Reasons after which the same call, with the same idempotency key, may well succeed. */
const RETRYABLE: ReadonlySet<PaymentFailureReason> = new Set([
  'timeout',
  'connection',
  'provider_unavailable',
  'rate_limited',
]);

/**
 * The only error a `PaymentGateway` throws. Its `code` is a stable domain code (503
 * `PAYMENT_PROVIDER_UNAVAILABLE`, 402 `PAYMENT_DECLINED`, 404 `PAYMENT_NOT_FOUND`, 409
 * `PAYMENT_STATE_CONFLICT`, 502 `PAYMENT_PROVIDER_ERROR`); `retryable` says whether retrying
 * the same operation with the same idempotency key is worth it (the order stays pending meanwhile).
 * It carries the provider's stable codes and request id for the logs, never its message or the
 * objects it returned (which can hold a client secret).
 */
export class PaymentProviderError extends DomainError {
  readonly retryable: boolean;

  constructor(
    readonly reason: PaymentFailureReason,
    readonly details: {
      /** The provider's error code, e.g. `card_declined`, `resource_missing`. */
      providerCode?: string | undefined;
      declineCode?: string | undefined;
      /** The provider's request id (`req_…`), to find the call in its dashboard. */
      providerRequestId?: string | undefined;
      httpStatus?: number | undefined;
    } = {},
  ) {
    // No message of its own: clients get the catalogue's public message for the code.
    super(CODE_OF[reason]);
    this.name = 'PaymentProviderError';
    this.retryable = RETRYABLE.has(reason);
  }
}
