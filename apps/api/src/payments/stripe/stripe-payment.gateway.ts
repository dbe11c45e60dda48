import { Logger } from '@nestjs/common';
import { PAYMENT_INTENT_STATUSES, type PaymentIntentStatus } from '@storefront/contracts';
import Stripe from 'stripe';
import type { PaymentsConfig } from '../../config/app-config';
import {
  PaymentClientSecret,
  assertCreateInput,
  assertIdempotencyKey,
  assertIntentId,
  assertRefundInput,
  type CancellationReason,
  type CreatePaymentIntentInput,
  type PaymentGateway,
  type PaymentIntentView,
  type RefundInput,
  type RefundStatus,
  type RefundView,
} from '../payment-gateway';
import { PaymentProviderError } from '../payment-provider.error';
import { toPaymentProviderError } from './stripe-error.mapper';

/** The Stripe part of the payments configuration. */
export type StripeSettings = Extract<PaymentsConfig, { provider: 'stripe' }>;

/**
 * The `stripe` SDK client the adapter uses: the secret key, the API version the SDK's types
 * describe, the timeout and automatic retries from the configuration, no telemetry, and — in
 * tests only — the address of a local Stripe-compatible server.
 */
export function createStripeClient(settings: StripeSettings): Stripe {
  return new Stripe(settings.secretKey.reveal(), {
    apiVersion: Stripe.API_VERSION,
    timeout: settings.timeoutMs,
    maxNetworkRetries: settings.maxNetworkRetries,
    telemetry: false,
    appInfo: { name: 'storefront' },
    ...(settings.api
      ? { protocol: settings.api.protocol, host: settings.api.host, port: settings.api.port }
      : {}),
  });
}

const STATUSES: ReadonlySet<string> = new Set(PAYMENT_INTENT_STATUSES);
const REFUND_STATUSES: ReadonlySet<string> = new Set([
  'pending',
  'requires_action',
  'succeeded',
  'failed',
  'canceled',
]);

/** Stripe's PaymentIntent in the shop's terms; anything unreadable is `unexpected_response`. */
function toIntentView(intent: Stripe.PaymentIntent): PaymentIntentView {
  if (!STATUSES.has(intent.status) || !Number.isSafeInteger(intent.amount)) {
    throw new PaymentProviderError('unexpected_response');
  }
  const error = intent.last_payment_error;
  return {
    provider: 'stripe',
    id: intent.id,
    status: intent.status as PaymentIntentStatus,
    amount: intent.amount,
    amountReceived: intent.amount_received,
    currency: intent.currency.toUpperCase(),
    orderId: intent.metadata.orderId ?? null,
    clientSecret: intent.client_secret ? new PaymentClientSecret(intent.client_secret) : null,
    requiresAction: intent.status === 'requires_action',
    lastFailure: error
      ? { code: error.code ?? null, declineCode: error.decline_code ?? null }
      : null,
    createdAt: new Date(intent.created * 1000),
    livemode: intent.livemode,
  };
}

function toRefundView(refund: Stripe.Refund): RefundView {
  const intentId =
    typeof refund.payment_intent === 'string' ? refund.payment_intent : refund.payment_intent?.id;
  if (!intentId || !refund.status || !REFUND_STATUSES.has(refund.status)) {
    throw new PaymentProviderError('unexpected_response');
  }
  return {
    provider: 'stripe',
    id: refund.id,
    paymentIntentId: intentId,
    amount: refund.amount,
    currency: refund.currency.toUpperCase(),
    status: refund.status as RefundStatus,
  };
}

/**
 * {@link PaymentGateway} on Stripe, through the real `stripe` SDK. Every write carries the
 * caller's idempotency key (the SDK reuses it on its automatic retries), so a timeout followed by
 * a retry never creates a second intent or refund. Failures become {@link PaymentProviderError}s
 * and a warning line with Stripe's codes and request id only — never the key, a client secret or
 * Stripe's message.
 */
export class StripePaymentGateway implements PaymentGateway {
  readonly provider = 'stripe' as const;
  private readonly logger = new Logger('Payments');

  constructor(private readonly stripe: Stripe) {}

  async createIntent(input: CreatePaymentIntentInput): Promise<PaymentIntentView> {
    assertCreateInput(input);
    const intent = await this.call('create-intent', () =>
      this.stripe.paymentIntents.create(
        {
          amount: input.amount,
          currency: input.currency.toLowerCase(),
          metadata: { orderId: input.orderId },
          // The Payment Element offers the methods enabled in the Dashboard; 3-D Secure is Stripe's.
          automatic_payment_methods: { enabled: true },
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    // A replayed answer must be the intent asked for (same order, amount and currency).
    if (
      intent.orderId !== input.orderId ||
      intent.amount !== input.amount ||
      intent.currency !== input.currency
    ) {
      this.logger.warn('stripe create-intent: the answer does not match the request');
      throw new PaymentProviderError('unexpected_response');
    }
    return intent;
  }

  async retrieveIntent(id: string): Promise<PaymentIntentView> {
    assertIntentId(id);
    return this.call('retrieve-intent', () => this.stripe.paymentIntents.retrieve(id));
  }

  async cancelIntent(
    id: string,
    options: { idempotencyKey: string; reason?: CancellationReason },
  ): Promise<PaymentIntentView> {
    assertIntentId(id);
    assertIdempotencyKey(options.idempotencyKey);
    return this.call('cancel-intent', () =>
      this.stripe.paymentIntents.cancel(
        id,
        options.reason ? { cancellation_reason: options.reason } : {},
        { idempotencyKey: options.idempotencyKey },
      ),
    );
  }

  async refund(input: RefundInput): Promise<RefundView> {
    assertRefundInput(input);
    try {
      const refund = await this.stripe.refunds.create(
        {
          payment_intent: input.paymentIntentId,
          amount: input.amount,
          metadata: { orderId: input.orderId },
          ...(input.reason ? { reason: input.reason } : {}),
        },
        { idempotencyKey: input.idempotencyKey },
      );
      return toRefundView(refund);
    } catch (error) {
      throw this.failure('refund', error);
    }
  }

  private async call(
    operation: 'create-intent' | 'retrieve-intent' | 'cancel-intent',
    request: () => Promise<Stripe.PaymentIntent>,
  ): Promise<PaymentIntentView> {
    try {
      return toIntentView(await request());
    } catch (error) {
      throw this.failure(operation, error);
    }
  }

  private failure(
    operation: 'create-intent' | 'retrieve-intent' | 'cancel-intent' | 'refund',
    error: unknown,
  ): PaymentProviderError {
    const mapped = toPaymentProviderError(error, operation);
    const { providerCode, declineCode, providerRequestId, httpStatus } = mapped.details;
    this.logger.warn(
      `stripe ${operation} failed: reason=${mapped.reason} status=${httpStatus ?? '-'} ` +
        `code=${providerCode ?? '-'} decline=${declineCode ?? '-'} request=${providerRequestId ?? '-'}`,
    );
    return mapped;
  }
}
