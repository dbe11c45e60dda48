import type { Money, PaymentIntentStatus, PaymentProvider } from '@storefront/contracts';

/**
 * A PaymentIntent's client secret. It lets the browser confirm the payment with the provider, so
 * it must reach the customer who checks out and nobody else: it prints as `[redacted]` (logs,
 * JSON, `util.inspect`), and `reveal()` is called only where it is handed to that customer.
 */
export class PaymentClientSecret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The secret, for the checkout response. Never log the result. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'PaymentClientSecret([redacted])';
  }
}

/** Why the last payment attempt failed, in the provider's stable codes (never its prose). */
export interface PaymentFailure {
  /** e.g. `card_declined`, `authentication_required`. */
  code: string | null;
  /** The issuer's reason, e.g. `insufficient_funds`, `generic_decline`. */
  declineCode: string | null;
}

/** The shop's view of a PaymentIntent: what the orders context needs, in its own types. */
export interface PaymentIntentView {
  provider: PaymentProvider;
  id: string;
  status: PaymentIntentStatus;
  /** Integer minor units asked for. */
  amount: number;
  /** Integer minor units actually captured (the ceiling of any refund). */
  amountReceived: number;
  /** ISO 4217, upper case (`EUR`); compared with the order's currency, so kept as received. */
  currency: string;
  /** The order this intent pays for, from the intent's own metadata (`orderId`). */
  orderId: string | null;
  /** Present while the provider still accepts a confirmation from the browser. */
  clientSecret: PaymentClientSecret | null;
  /** The customer still has to authenticate (3-D Secure) in the browser. */
  requiresAction: boolean;
  lastFailure: PaymentFailure | null;
  createdAt: Date;
  livemode: boolean;
}

/** The states of a refund. */
export type RefundStatus = 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'canceled';

/** The shop's view of a refund. */
export interface RefundView {
  provider: PaymentProvider;
  id: string;
  paymentIntentId: string;
  /** Integer minor units. */
  amount: number;
  currency: string;
  status: RefundStatus;
}

/** What a PaymentIntent is created with: everything comes from the order in the database. */
export interface CreatePaymentIntentInput {
  /** The order's id, stored as the intent's `metadata.orderId` (read back on every event). */
  orderId: string;
  /** Integer minor units, from the order. */
  amount: number;
  currency: Money['currency'];
  /** Tied to the order (see {@link paymentIdempotencyKey}): a retry can never create a second intent. */
  idempotencyKey: string;
}

/** Why an intent is cancelled (Stripe's reasons the shop uses). */
export type CancellationReason = 'abandoned' | 'duplicate' | 'requested_by_customer';

/** A refund of (part of) what an intent captured. */
export interface RefundInput {
  paymentIntentId: string;
  /** The order, stored in the refund's metadata. */
  orderId: string;
  /** Integer minor units; the orders context checks it against what was captured first. */
  amount: number;
  /** Tied to the refund decision (see {@link paymentIdempotencyKey}). */
  idempotencyKey: string;
  reason?: 'requested_by_customer' | 'duplicate' | 'fraudulent';
}

/**
 * The one door to the payment provider. Implementations: {@link StripePaymentGateway} (the real
 * `stripe` SDK) and the development provider. Every call returns the shop's own types — never a
 * provider object — and fails with a `PaymentProviderError` (stable code, retryable flag), never
 * with the provider's error.
 */
export interface PaymentGateway {
  readonly provider: PaymentProvider;
  createIntent(input: CreatePaymentIntentInput): Promise<PaymentIntentView>;
  /** The intent's current state, read from the provider (the truth after any event). */
  retrieveIntent(id: string): Promise<PaymentIntentView>;
  cancelIntent(
    id: string,
    options: { idempotencyKey: string; reason?: CancellationReason },
  ): Promise<PaymentIntentView>;
  refund(input: RefundInput): Promise<RefundView>;
}

/** Injection token of the configured {@link PaymentGateway}. */
export const PAYMENT_GATEWAY = Symbol('PAYMENT_GATEWAY');

/** The operations that take an idempotency key. */
export type IdempotentPaymentOperation = 'create-intent' | 'cancel-intent' | 'refund';

const KEY_PART = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * An idempotency key tied to one logical operation, e.g. `paymentIdempotencyKey('create-intent',
 * orderId)` or `paymentIdempotencyKey('refund', orderId, refundId)`: the same operation always
 * sends the same key, so a retry after a timeout (or a double-submitted checkout) gets the first
 * answer back instead of a second intent or refund. Stripe keeps keys for at least 24 hours.
 */
export function paymentIdempotencyKey(
  operation: IdempotentPaymentOperation,
  ...parts: [string, ...string[]]
): string {
  for (const part of parts) {
    if (!KEY_PART.test(part)) throw new PaymentInputError('idempotency key part');
  }
  return `storefront:${operation}:${parts.join(':')}`;
}

/** A call to the gateway with values the orders context should never produce (a bug, a 500). */
export class PaymentInputError extends Error {
  constructor(what: string) {
    super(`invalid payment input: ${what}`);
    this.name = 'PaymentInputError';
  }
}

/** The largest amount a PaymentIntent may carry (Stripe: eight digits of minor units). */
export const MAX_PAYMENT_AMOUNT = 99_999_999;
/** Stripe's minimum charge in euros (50 cents). */
export const MIN_PAYMENT_AMOUNT = 50;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_:.-]{8,255}$/;
const INTENT_ID = /^pi_[A-Za-z0-9_]{1,120}$/;

/** Checks an intent id before it goes into a URL. */
export function assertIntentId(id: string): void {
  if (!INTENT_ID.test(id)) throw new PaymentInputError('payment intent id');
}

/** Checks an idempotency key (printable, bounded, long enough to be specific). */
export function assertIdempotencyKey(key: string): void {
  if (!IDEMPOTENCY_KEY.test(key)) throw new PaymentInputError('idempotency key');
}

/** Checks what a PaymentIntent is created with (both gateways). */
export function assertCreateInput(input: CreatePaymentIntentInput): void {
  if (!UUID.test(input.orderId)) throw new PaymentInputError('order id');
  if (
    !Number.isSafeInteger(input.amount) ||
    input.amount < MIN_PAYMENT_AMOUNT ||
    input.amount > MAX_PAYMENT_AMOUNT
  ) {
    throw new PaymentInputError('amount');
  }
  assertIdempotencyKey(input.idempotencyKey);
}

/** Checks a refund request (both gateways). */
export function assertRefundInput(input: RefundInput): void {
  assertIntentId(input.paymentIntentId);
  if (!UUID.test(input.orderId)) throw new PaymentInputError('order id');
  if (
    !Number.isSafeInteger(input.amount) ||
    input.amount < 1 ||
    input.amount > MAX_PAYMENT_AMOUNT
  ) {
    throw new PaymentInputError('amount');
  }
  assertIdempotencyKey(input.idempotencyKey);
}
