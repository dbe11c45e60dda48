import { Controller, HttpCode, Inject, Optional, Post, Req } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  PaymentWebhookAckSchema,
  StripeWebhookEventSchema,
  type PaymentWebhookAck,
  type StripeWebhookEvent,
} from '@storefront/contracts';
import type { FastifyRequest } from 'fastify';
import { auditContextOf } from '../../audit/audit-context';
import { SecurityEvents } from '../../audit/security-events.service';
import { DomainError } from '../../core/errors/domain-error';
import { Public } from '../../core/http/public.decorator';
import {
  ApiBodyFrom,
  ApiErrorResponses,
  ApiJsonResponse,
} from '../../openapi/api-contract.decorators';
import { SkipRateLimit } from '../../rate-limit/rate-limit.decorators';
import type { PaymentEventNotice } from '../payment-event';
import { PaymentEventProcessor } from '../payment-event.processor';
import { CaptureRawBody, rawBodyOf } from './raw-body.capture';
import {
  StripeWebhookVerifier,
  WebhookSignatureRejected,
  type WebhookRejection,
} from './stripe-webhook.verifier';

/** The PaymentIntent an event is about: the object itself, or the one a charge/refund points to. */
function paymentIntentIdOf(event: StripeWebhookEvent): string | null {
  const object = event.data.object as { id: string; object: string; payment_intent?: unknown };
  if (object.object === 'payment_intent') return object.id;
  const pointer = object.payment_intent;
  return typeof pointer === 'string' ? pointer : null;
}

const INTENT_ID = /^pi_[A-Za-z0-9_]{1,120}$/;

/**
 * `POST /api/payments/stripe/webhook`: Stripe's server-to-server event delivery. Public (Stripe
 * holds no session; the signature is the authentication), exempt from rate limits (a throttled
 * webhook only delays payments: Stripe's retries are the back-pressure, and a forgery costs one
 * HMAC), outside CSRF's reach (no cookie, no `Origin`). The raw body is verified before anything
 * reads it; a refusal is a 400 and a `payment.webhook.rejected` line, with nothing recorded. A
 * verified event is answered 2xx only after it is durably recorded (a replay: acknowledged, not
 * processed again); a provider or database failure is a 5xx, so Stripe delivers it again.
 */
@ApiTags('payments')
@Controller('payments/stripe')
@Public()
export class StripeWebhookController {
  constructor(
    @Inject(PaymentEventProcessor) private readonly processor: PaymentEventProcessor,
    @Inject(SecurityEvents) private readonly securityEvents: SecurityEvents,
    @Optional() @Inject(StripeWebhookVerifier) private readonly verifier?: StripeWebhookVerifier,
  ) {}

  @Post('webhook')
  @HttpCode(200)
  @SkipRateLimit()
  @CaptureRawBody()
  @ApiOperation({
    summary: 'Stripe webhook (signed by Stripe; not for browsers).',
    description:
      'Verified over the raw body with the endpoint signing secret (`Stripe-Signature`, 300 s tolerance), deduplicated on the event id, and applied only after re-reading the PaymentIntent from Stripe. 404 when Stripe is not the payment provider.',
  })
  @ApiHeader({ name: 'Stripe-Signature', required: true, description: 't=<unix>,v1=<hex>' })
  @ApiBodyFrom(StripeWebhookEventSchema)
  @ApiJsonResponse(200, PaymentWebhookAckSchema, 'Recorded (or recorded before).')
  @ApiErrorResponses(400, 404, 413, 415, 503)
  async receive(@Req() request: FastifyRequest): Promise<PaymentWebhookAck> {
    const receivedAt = new Date();
    if (!this.verifier) throw new DomainError('NOT_FOUND');
    const raw = rawBodyOf(request);
    if (raw === undefined) throw new Error('raw body capture is not installed on this route');
    let verified: unknown;
    try {
      verified = this.verifier.verify(raw, request.headers['stripe-signature']);
    } catch (error) {
      if (error instanceof WebhookSignatureRejected) this.reject(request, error.reason);
      throw error;
    }
    const parsed = StripeWebhookEventSchema.safeParse(verified);
    const intentId = parsed.success ? paymentIntentIdOf(parsed.data) : null;
    if (!parsed.success || (intentId !== null && !INTENT_ID.test(intentId))) {
      this.reject(request, 'invalid_payload');
    }
    const event = parsed.data;
    const notice: PaymentEventNotice = {
      provider: 'stripe',
      id: event.id,
      type: event.type,
      paymentIntentId: intentId,
      occurredAt: new Date(event.created * 1000),
      receivedAt,
    };
    await this.processor.process(notice, auditContextOf(request));
    return { received: true };
  }

  private reject(request: FastifyRequest, reason: WebhookRejection): never {
    this.securityEvents.report(auditContextOf(request), {
      name: 'payment.webhook.rejected',
      details: { provider: 'stripe', reason },
    });
    throw new DomainError(
      reason === 'invalid_payload' ? 'MALFORMED_BODY' : 'WEBHOOK_SIGNATURE_INVALID',
    );
  }
}
