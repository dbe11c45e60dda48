import Stripe from 'stripe';
import { PaymentProviderError, type PaymentFailureReason } from '../payment-provider.error';

/** Stripe error codes that mean "not in a state that allows this", not "malformed request". */
const STATE_CODES = new Set([
  'payment_intent_unexpected_state',
  'charge_already_refunded',
  'charge_not_refundable',
  'charge_disputed',
  'refund_disputed_payment',
]);

/** Keeps only an identifier-like code (Stripe's codes are snake_case): nothing else is logged. */
function safeCode(value: unknown): string | undefined {
  return typeof value === 'string' && /^[a-z0-9_]{1,64}$/.test(value) ? value : undefined;
}

function safeRequestId(value: unknown): string | undefined {
  return typeof value === 'string' && /^req_[A-Za-z0-9]{1,64}$/.test(value) ? value : undefined;
}

/** Whether a connection error was the SDK's own timeout (`STRIPE_TIMEOUT_MS`). */
function isTimeout(error: InstanceType<typeof Stripe.errors.StripeConnectionError>): boolean {
  const detail = error.detail as { code?: unknown } | undefined;
  return detail?.code === 'ETIMEDOUT';
}

/**
 * Turns anything the Stripe SDK throws into a {@link PaymentProviderError}: a stable reason and
 * code, the retryable flag, and only Stripe's identifiers (error code, decline code, request id).
 * Stripe's message, raw body, headers and embedded objects — a card error carries the whole
 * PaymentIntent, client secret included — are dropped here. `operation` refines the meaning of
 * a code (`amount_too_large` on a refund means "more than was captured").
 */
export function toPaymentProviderError(
  error: unknown,
  operation: 'create-intent' | 'retrieve-intent' | 'cancel-intent' | 'refund',
): PaymentProviderError {
  if (error instanceof PaymentProviderError) return error;
  if (!(error instanceof Stripe.errors.StripeError)) {
    return new PaymentProviderError('unexpected_response');
  }
  const code = safeCode(error.code);
  const details = {
    providerCode: code,
    declineCode: safeCode(error.decline_code),
    providerRequestId: safeRequestId(error.requestId),
    httpStatus: typeof error.statusCode === 'number' ? error.statusCode : undefined,
  };
  let reason: PaymentFailureReason;
  if (error instanceof Stripe.errors.StripeConnectionError) {
    reason = isTimeout(error) ? 'timeout' : 'connection';
  } else if (error instanceof Stripe.errors.StripeRateLimitError) {
    reason = 'rate_limited';
  } else if (error instanceof Stripe.errors.StripeAPIError) {
    reason = 'provider_unavailable';
  } else if (error instanceof Stripe.errors.StripeCardError) {
    reason = 'declined';
  } else if (error instanceof Stripe.errors.StripeIdempotencyError) {
    reason = 'idempotency_conflict';
  } else if (error instanceof Stripe.errors.StripeAuthenticationError) {
    reason = 'authentication';
  } else if (error instanceof Stripe.errors.StripePermissionError) {
    reason = 'permission';
  } else if (error instanceof Stripe.errors.StripeInvalidRequestError) {
    if (code === 'resource_missing') reason = 'not_found';
    else if (code !== undefined && STATE_CODES.has(code)) reason = 'invalid_state';
    else if (code === 'amount_too_large' && operation === 'refund') reason = 'invalid_state';
    else reason = 'invalid_request';
  } else {
    reason = 'unexpected_response';
  }
  return new PaymentProviderError(reason, details);
}
