import { inspect } from 'node:util';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { toErrorResponse } from '../../core/errors/error-response';
import { PaymentProviderError } from '../payment-provider.error';
import { toPaymentProviderError } from './stripe-error.mapper';

const CLIENT_SECRET = 'pi_123_secret_abcdefghijklmnopqrstuvwxyz';

describe('Stripe errors → PaymentProviderError', () => {
  it('turns a card decline into PAYMENT_DECLINED, keeping codes and dropping the embedded intent', () => {
    const raw = new Stripe.errors.StripeCardError({
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'insufficient_funds',
      message: 'Your card has insufficient funds.',
      statusCode: 402,
      requestId: 'req_abc123',
      payment_intent: { id: 'pi_123', client_secret: CLIENT_SECRET } as never,
    });
    const mapped = toPaymentProviderError(raw, 'create-intent');
    expect(mapped).toMatchObject({
      reason: 'declined',
      code: 'PAYMENT_DECLINED',
      retryable: false,
      details: {
        providerCode: 'card_declined',
        declineCode: 'insufficient_funds',
        providerRequestId: 'req_abc123',
        httpStatus: 402,
      },
    });
    const printed = `${inspect(mapped, { depth: 10 })}${JSON.stringify(mapped)}${mapped.message}`;
    expect(printed).not.toContain(CLIENT_SECRET);
    expect(printed).not.toContain('insufficient funds.');
    // What a client would see: the catalogue's message, not Stripe's.
    expect(toErrorResponse(mapped, 'r1')).toMatchObject({
      status: 402,
      body: { error: { code: 'PAYMENT_DECLINED', message: 'The payment was declined.' } },
    });
  });

  it('classifies throttling, permissions and codes that depend on the operation', () => {
    const rateLimited = new Stripe.errors.StripeRateLimitError({ message: 'x', statusCode: 429 });
    expect(toPaymentProviderError(rateLimited, 'retrieve-intent')).toMatchObject({
      reason: 'rate_limited',
      code: 'PAYMENT_PROVIDER_UNAVAILABLE',
      retryable: true,
    });
    const permission = new Stripe.errors.StripePermissionError({ message: 'x', statusCode: 403 });
    expect(toPaymentProviderError(permission, 'refund')).toMatchObject({
      reason: 'permission',
      code: 'PAYMENT_PROVIDER_ERROR',
    });
    const tooLarge = () =>
      new Stripe.errors.StripeInvalidRequestError({ code: 'amount_too_large', statusCode: 400 });
    expect(toPaymentProviderError(tooLarge(), 'refund').reason).toBe('invalid_state');
    expect(toPaymentProviderError(tooLarge(), 'create-intent').reason).toBe('invalid_request');
  });

  it('never passes on anything that is not a Stripe error, and keeps only identifier-like codes', () => {
    expect(toPaymentProviderError(new TypeError('boom'), 'create-intent')).toMatchObject({
      reason: 'unexpected_response',
    });
    const odd = new Stripe.errors.StripeInvalidRequestError({
      code: 'line\nforged',
      statusCode: 400,
      requestId: 'not a request id',
    });
    expect(toPaymentProviderError(odd, 'create-intent').details).toMatchObject({
      providerCode: undefined,
      providerRequestId: undefined,
    });
    const already = new PaymentProviderError('timeout');
    expect(toPaymentProviderError(already, 'create-intent')).toBe(already);
  });
});
