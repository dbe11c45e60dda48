import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config';
import {
  PaymentInputError,
  paymentIdempotencyKey,
  type CreatePaymentIntentInput,
} from '../../src/payments/payment-gateway';
import { PaymentProviderError } from '../../src/payments/payment-provider.error';
import {
  StripePaymentGateway,
  createStripeClient,
} from '../../src/payments/stripe/stripe-payment.gateway';
import { startLocalStripe, type LocalStripe } from '../support/stripe-server';

let stripe: LocalStripe;
/** Everything the adapter logged (Nest's logger, as the API routes it). */
const logged: string[] = [];
beforeAll(async () => {
  stripe = await startLocalStripe();
  const keep = (message: unknown) => void logged.push(String(message));
  Logger.overrideLogger({ log: keep, error: keep, warn: keep, debug: keep, verbose: keep });
});
afterAll(async () => {
  await stripe.close();
  // Every failure above was logged, with Stripe's codes only: never a key or a client secret.
  expect(logged.some((line) => line.includes('reason=timeout'))).toBe(true);
  const text = logged.join('\n');
  expect(text).not.toContain(stripe.secretKey);
  for (const intent of stripe.intents.values()) expect(text).not.toContain(intent.client_secret);
});

/** The adapter on the real SDK, configured from the environment like the API configures it. */
function gateway(env: Record<string, string> = {}): StripePaymentGateway {
  const payments = loadConfig({ NODE_ENV: 'test', ...stripe.env(env) }).payments;
  if (payments.provider !== 'stripe') throw new Error('expected the Stripe provider');
  return new StripePaymentGateway(createStripeClient(payments));
}

function newOrder(amount = 4_990): CreatePaymentIntentInput {
  const orderId = randomUUID();
  return {
    orderId,
    amount,
    currency: 'EUR',
    idempotencyKey: paymentIdempotencyKey('create-intent', orderId),
  };
}

async function failureOf(promise: Promise<unknown>): Promise<PaymentProviderError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PaymentProviderError);
  return error as PaymentProviderError;
}

const intentsOfOrder = (orderId: string) =>
  [...stripe.intents.values()].filter((i) => i.metadata.orderId === orderId);

describe('Stripe adapter over the real SDK', () => {
  it('creates, retrieves and cancels a PaymentIntent, in our own types', async () => {
    const payments = gateway();
    const order = newOrder(12_345);
    const created = await payments.createIntent(order);
    expect(created).toMatchObject({
      provider: 'stripe',
      status: 'requires_payment_method',
      amount: 12_345,
      amountReceived: 0,
      currency: 'EUR',
      orderId: order.orderId,
      requiresAction: false,
      lastFailure: null,
      livemode: false,
    });
    // What Stripe stored: form-encoded amount, lower-case currency, the order id as metadata.
    const stored = stripe.intents.get(created.id);
    expect(stored).toMatchObject({
      amount: 12_345,
      currency: 'eur',
      metadata: { orderId: order.orderId },
      automatic_payment_methods: { enabled: true },
    });
    expect(created.clientSecret?.reveal()).toBe(stored?.client_secret);
    // Not a Stripe object: no snake_case fields leak through.
    expect(Object.keys(created)).not.toContain('client_secret');

    const retrieved = await payments.retrieveIntent(created.id);
    expect(retrieved).toMatchObject({ id: created.id, status: 'requires_payment_method' });

    stripe.setIntentState(created.id, 'requires_action');
    expect(await payments.retrieveIntent(created.id)).toMatchObject({
      status: 'requires_action',
      requiresAction: true,
    });

    const cancelled = await payments.cancelIntent(created.id, {
      idempotencyKey: paymentIdempotencyKey('cancel-intent', order.orderId),
      reason: 'abandoned',
    });
    expect(cancelled.status).toBe('canceled');
    expect(stripe.intents.get(created.id)?.cancellation_reason).toBe('abandoned');
  });

  it('never prints a client secret (inspect, JSON, string)', async () => {
    const created = await gateway().createIntent(newOrder());
    const secret = created.clientSecret?.reveal() ?? '';
    expect(secret).toMatch(/^pi_\w+_secret_\w+$/);
    const printed = `${inspect(created, { depth: 5 })}${JSON.stringify(created)}${String(created.clientSecret)}`;
    expect(printed).not.toContain(secret);
  });

  it('sends the idempotency key tied to the order: the same key twice makes one intent', async () => {
    const payments = gateway();
    const order = newOrder();
    const first = await payments.createIntent(order);
    const second = await payments.createIntent(order);
    expect(second.id).toBe(first.id);
    expect(intentsOfOrder(order.orderId)).toHaveLength(1);
    const sent = stripe.requests.filter((r) => r.idempotencyKey === order.idempotencyKey);
    expect(sent.map((r) => [r.status, r.replayed])).toEqual([
      [200, false],
      [200, true],
    ]);
  });

  it('refuses to reuse a key for other parameters (Stripe idempotency_error → our 502 code)', async () => {
    const payments = gateway();
    const order = newOrder(1_000);
    await payments.createIntent(order);
    const error = await failureOf(payments.createIntent({ ...order, amount: 2_000 }));
    expect(error).toMatchObject({
      reason: 'idempotency_conflict',
      code: 'PAYMENT_PROVIDER_ERROR',
      retryable: false,
    });
    expect(intentsOfOrder(order.orderId)).toHaveLength(1);
  });

  it('maps a timeout to a retryable 503; retrying with the same key does not create a second intent', async () => {
    const payments = gateway({ STRIPE_TIMEOUT_MS: '300', STRIPE_MAX_NETWORK_RETRIES: '0' });
    const order = newOrder();
    // Stripe executes the request but answers too late: the intent exists, we never saw it.
    stripe.failNext({ kind: 'delay', ms: 1_500 }, 1, '/v1/payment_intents');
    const error = await failureOf(payments.createIntent(order));
    expect(error).toMatchObject({
      reason: 'timeout',
      code: 'PAYMENT_PROVIDER_UNAVAILABLE',
      retryable: true,
    });
    expect(intentsOfOrder(order.orderId)).toHaveLength(1);

    const retried = await payments.createIntent(order);
    expect(intentsOfOrder(order.orderId).map((i) => i.id)).toEqual([retried.id]);
  });

  it('retries a 500 by itself with the same key, and creates exactly one intent', async () => {
    const payments = gateway({ STRIPE_MAX_NETWORK_RETRIES: '2' });
    const order = newOrder();
    stripe.failNext({ kind: 'status', status: 500 }, 1, '/v1/payment_intents');
    const created = await payments.createIntent(order);
    expect(intentsOfOrder(order.orderId).map((i) => i.id)).toEqual([created.id]);
    const sent = stripe.requests.filter((r) => r.idempotencyKey === order.idempotencyKey);
    expect(sent.map((r) => r.status)).toEqual([500, 200]);
  });

  it('gives up on a Stripe outage with a clear domain error; a later retry creates one intent', async () => {
    const payments = gateway({ STRIPE_MAX_NETWORK_RETRIES: '1' });
    const order = newOrder();
    stripe.failNext({ kind: 'status', status: 503 }, 2, '/v1/payment_intents');
    const error = await failureOf(payments.createIntent(order));
    expect(error).toMatchObject({
      reason: 'provider_unavailable',
      code: 'PAYMENT_PROVIDER_UNAVAILABLE',
      retryable: true,
      details: { httpStatus: 503 },
    });
    expect(intentsOfOrder(order.orderId)).toHaveLength(0);
    await payments.createIntent(order);
    await payments.createIntent(order);
    expect(intentsOfOrder(order.orderId)).toHaveLength(1);
  });

  it('maps a dropped connection to a retryable connection failure', async () => {
    const payments = gateway({ STRIPE_MAX_NETWORK_RETRIES: '0' });
    // The SDK retries a closed connection once even with retries off: drop both attempts.
    stripe.failNext({ kind: 'reset' }, 2, '/v1/payment_intents/');
    const created = await payments.createIntent(newOrder());
    const error = await failureOf(payments.retrieveIntent(created.id));
    expect(error).toMatchObject({ reason: 'connection', retryable: true });
  });

  it('maps an unknown intent to PAYMENT_NOT_FOUND and a wrong key to a non-retryable error', async () => {
    expect(await failureOf(gateway().retrieveIntent('pi_doesnotexist123'))).toMatchObject({
      reason: 'not_found',
      code: 'PAYMENT_NOT_FOUND',
      details: { providerCode: 'resource_missing' },
    });
    const wrongKey = `sk_test_${'x'.repeat(40)}`;
    expect(
      await failureOf(gateway({ STRIPE_SECRET_KEY: wrongKey }).createIntent(newOrder())),
    ).toMatchObject({ reason: 'authentication', code: 'PAYMENT_PROVIDER_ERROR', retryable: false });
  });

  it('refuses to cancel a paid intent (PAYMENT_STATE_CONFLICT)', async () => {
    const payments = gateway();
    const order = newOrder();
    const created = await payments.createIntent(order);
    stripe.setIntentState(created.id, 'succeeded');
    const error = await failureOf(
      payments.cancelIntent(created.id, {
        idempotencyKey: paymentIdempotencyKey('cancel-intent', order.orderId),
      }),
    );
    expect(error).toMatchObject({ reason: 'invalid_state', code: 'PAYMENT_STATE_CONFLICT' });
  });

  it('refunds with an idempotency key, never more than was captured', async () => {
    const payments = gateway();
    const order = newOrder(3_000);
    const created = await payments.createIntent(order);
    stripe.setIntentState(created.id, 'succeeded');
    expect((await payments.retrieveIntent(created.id)).amountReceived).toBe(3_000);

    const refundKey = paymentIdempotencyKey('refund', order.orderId, 'r1');
    const input = { paymentIntentId: created.id, orderId: order.orderId, amount: 1_000 };
    const refund = await payments.refund({ ...input, idempotencyKey: refundKey });
    expect(refund).toMatchObject({
      provider: 'stripe',
      paymentIntentId: created.id,
      amount: 1_000,
      currency: 'EUR',
      status: 'succeeded',
    });
    // The same refund decision sent twice refunds once.
    expect((await payments.refund({ ...input, idempotencyKey: refundKey })).id).toBe(refund.id);
    expect(
      [...stripe.refunds.values()].filter((r) => r.payment_intent === created.id),
    ).toHaveLength(1);

    const tooMuch = await failureOf(
      payments.refund({
        ...input,
        amount: 2_001,
        idempotencyKey: paymentIdempotencyKey('refund', order.orderId, 'r2'),
      }),
    );
    expect(tooMuch).toMatchObject({
      reason: 'invalid_state',
      code: 'PAYMENT_STATE_CONFLICT',
      details: { providerCode: 'amount_too_large' },
    });
  });

  it('checks its input before anything reaches Stripe', async () => {
    const payments = gateway();
    const before = stripe.requests.length;
    const bad: CreatePaymentIntentInput[] = [
      { ...newOrder(), amount: 0 },
      { ...newOrder(), amount: 49 },
      { ...newOrder(), amount: 10.5 },
      { ...newOrder(), amount: 100_000_000 },
      { ...newOrder(), orderId: 'not-a-uuid' },
      { ...newOrder(), idempotencyKey: 'short' },
    ];
    for (const input of bad) {
      await expect(payments.createIntent(input)).rejects.toBeInstanceOf(PaymentInputError);
    }
    await expect(payments.retrieveIntent('../v1/refunds')).rejects.toBeInstanceOf(
      PaymentInputError,
    );
    expect(() => paymentIdempotencyKey('refund', 'a/b')).toThrow(PaymentInputError);
    expect(stripe.requests.length).toBe(before);
  });
});
