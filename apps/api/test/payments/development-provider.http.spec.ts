import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PAYMENT_GATEWAY,
  paymentIdempotencyKey,
  type PaymentGateway,
  type PaymentIntentView,
} from '../../src/payments/payment-gateway';
import { PaymentProviderError } from '../../src/payments/payment-provider.error';
import { startTestApp, type TestApp } from '../support/test-app';
import {
  RecordingPaymentHandler,
  eventRows,
  bindHandler,
  type PaymentEventRow,
} from './payments-fixture';

let t: TestApp;
let gateway: PaymentGateway;
let rows: (eventId?: string) => Promise<PaymentEventRow[]>;
const handler = new RecordingPaymentHandler();
const http = () => request(t.app.getHttpServer());

beforeAll(async () => {
  // No Stripe variables: the development provider.
  t = await startTestApp();
  bindHandler(t, handler);
  gateway = t.app.get<PaymentGateway>(PAYMENT_GATEWAY);
  rows = eventRows(t);
});
afterAll(async () => {
  await t.close();
});

async function newIntent(amount = 2_990): Promise<PaymentIntentView> {
  const order = handler.order(amount);
  const intent = await gateway.createIntent({
    orderId: order.orderId,
    amount,
    currency: 'EUR',
    idempotencyKey: paymentIdempotencyKey('create-intent', order.orderId),
  });
  order.paymentIntentId = intent.id;
  return intent;
}

const secretOf = (intent: PaymentIntentView) => intent.clientSecret?.reveal() ?? '';

async function rowsOfIntent(intentId: string): Promise<PaymentEventRow[]> {
  return (await rows()).filter((r) => r.payment_intent_id === intentId);
}

describe('development payment provider (no Stripe keys)', () => {
  it('is the gateway when no Stripe key is configured; the Stripe webhook route answers 404', async () => {
    expect(gateway.provider).toBe('development');
    const response = await http()
      .post('/api/payments/stripe/webhook')
      .set('content-type', 'application/json')
      .set('stripe-signature', 't=1,v1=00')
      .send({ id: 'evt_x' });
    expect(response.status).toBe(404);
  });

  it('pays with pm_card_visa, and the order hears it through the same event processing as Stripe', async () => {
    const intent = await newIntent(2_990);
    expect(intent).toMatchObject({ status: 'requires_payment_method', currency: 'EUR' });
    const response = await http()
      .post(`/api/payments/development/intents/${intent.id}/confirm`)
      .send({ clientSecret: secretOf(intent), paymentMethod: 'pm_card_visa' })
      .expect(200);
    expect(response.body).toEqual({
      paymentIntentId: intent.id,
      status: 'succeeded',
      declineCode: null,
    });
    expect(await gateway.retrieveIntent(intent.id)).toMatchObject({
      status: 'succeeded',
      amountReceived: 2_990,
    });
    expect(await rowsOfIntent(intent.id)).toMatchObject([
      {
        provider: 'development',
        type: 'payment_intent.succeeded',
        outcome: 'processed',
      },
    ]);
    expect(handler.handled.find((h) => h.intent.id === intent.id)?.intent.status).toBe('succeeded');
  });

  it('declines pm_card_chargeDeclined (payment_failed event), and the customer may pay again', async () => {
    const intent = await newIntent();
    const declined = await http()
      .post(`/api/payments/development/intents/${intent.id}/confirm`)
      .send({ clientSecret: secretOf(intent), paymentMethod: 'pm_card_chargeDeclined' })
      .expect(200);
    expect(declined.body).toMatchObject({
      status: 'requires_payment_method',
      declineCode: 'generic_decline',
    });
    expect(await rowsOfIntent(intent.id)).toMatchObject([
      { type: 'payment_intent.payment_failed', outcome: 'processed' },
    ]);
    await http()
      .post(`/api/payments/development/intents/${intent.id}/confirm`)
      .send({ clientSecret: secretOf(intent), paymentMethod: 'pm_card_visa' })
      .expect(200);
    expect((await gateway.retrieveIntent(intent.id)).status).toBe('succeeded');
  });

  it('asks for 3-D Secure with pm_card_authenticationRequired; approve pays, fail declines', async () => {
    const intent = await newIntent();
    const url = `/api/payments/development/intents/${intent.id}`;
    const first = await http()
      .post(`${url}/confirm`)
      .send({ clientSecret: secretOf(intent), paymentMethod: 'pm_card_authenticationRequired' })
      .expect(200);
    expect(first.body).toMatchObject({ status: 'requires_action' });
    expect((await gateway.retrieveIntent(intent.id)).requiresAction).toBe(true);
    await http()
      .post(`${url}/authenticate`)
      .send({ clientSecret: secretOf(intent), outcome: 'fail' })
      .expect(200, {
        paymentIntentId: intent.id,
        status: 'requires_payment_method',
        declineCode: 'payment_intent_authentication_failure',
      });

    const other = await newIntent();
    const otherUrl = `/api/payments/development/intents/${other.id}`;
    await http()
      .post(`${otherUrl}/confirm`)
      .send({ clientSecret: secretOf(other), paymentMethod: 'pm_card_authenticationRequired' })
      .expect(200);
    await http()
      .post(`${otherUrl}/authenticate`)
      .send({ clientSecret: secretOf(other), outcome: 'approve' })
      .expect(200);
    expect((await rowsOfIntent(other.id)).map((r) => r.type).sort()).toEqual([
      'payment_intent.requires_action',
      'payment_intent.succeeded',
    ]);
  });

  it('needs the intent’s client secret (a wrong one looks like an unknown intent)', async () => {
    const intent = await newIntent();
    const wrong = `${intent.id}_secret_${'0'.repeat(24)}`;
    await http()
      .post(`/api/payments/development/intents/${intent.id}/confirm`)
      .send({ clientSecret: wrong, paymentMethod: 'pm_card_visa' })
      .expect(404);
    expect((await gateway.retrieveIntent(intent.id)).status).toBe('requires_payment_method');
    expect(await rowsOfIntent(intent.id)).toEqual([]);
  });

  it('refuses to pay twice, and refuses unknown tokens and fields', async () => {
    const intent = await newIntent();
    const url = `/api/payments/development/intents/${intent.id}/confirm`;
    await http()
      .post(url)
      .send({ clientSecret: secretOf(intent), paymentMethod: 'pm_card_visa' })
      .expect(200);
    const again = await http()
      .post(url)
      .send({ clientSecret: secretOf(intent), paymentMethod: 'pm_card_visa' })
      .expect(409);
    expect(again.body.error.code).toBe('PAYMENT_STATE_CONFLICT');
    await http()
      .post(url)
      .send({ clientSecret: secretOf(intent), paymentMethod: '4242424242424242' })
      .expect(400);
    await http()
      .post(url)
      .send({ clientSecret: secretOf(intent), paymentMethod: 'pm_card_visa', amount: 1 })
      .expect(400);
    expect(await rowsOfIntent(intent.id)).toHaveLength(1);
  });

  it('replays an idempotency key like Stripe: same request, same intent; other request, refused', async () => {
    const orderId = randomUUID();
    const input = {
      orderId,
      amount: 1_000,
      currency: 'EUR' as const,
      idempotencyKey: paymentIdempotencyKey('create-intent', orderId),
    };
    const [a, b] = await Promise.all([gateway.createIntent(input), gateway.createIntent(input)]);
    expect(b.id).toBe(a.id);
    await expect(gateway.createIntent({ ...input, amount: 2_000 })).rejects.toMatchObject({
      reason: 'idempotency_conflict',
    });
  });

  it('cancels and refunds with their own events (delivered after the call, like webhooks)', async () => {
    const open = await newIntent();
    const cancelled = await gateway.cancelIntent(open.id, {
      idempotencyKey: paymentIdempotencyKey('cancel-intent', open.orderId ?? 'x'),
    });
    expect(cancelled.status).toBe('canceled');

    const paid = await newIntent(5_000);
    await http()
      .post(`/api/payments/development/intents/${paid.id}/confirm`)
      .send({ clientSecret: secretOf(paid), paymentMethod: 'pm_card_visa' })
      .expect(200);
    const refundKey = paymentIdempotencyKey('refund', paid.orderId ?? 'x', 'r1');
    const input = { paymentIntentId: paid.id, orderId: paid.orderId ?? '', amount: 3_000 };
    const refund = await gateway.refund({ ...input, idempotencyKey: refundKey });
    expect(refund).toMatchObject({ amount: 3_000, currency: 'EUR', status: 'succeeded' });
    expect((await gateway.refund({ ...input, idempotencyKey: refundKey })).id).toBe(refund.id);
    const tooMuch = await gateway
      .refund({
        ...input,
        amount: 2_001,
        idempotencyKey: paymentIdempotencyKey('refund', paid.orderId ?? 'x', 'r2'),
      })
      .catch((e: unknown) => e);
    expect(tooMuch).toBeInstanceOf(PaymentProviderError);
    expect(tooMuch).toMatchObject({ code: 'PAYMENT_STATE_CONFLICT' });

    await expect
      .poll(async () => (await rowsOfIntent(open.id)).map((r) => r.type))
      .toEqual(['payment_intent.canceled']);
    await expect
      .poll(async () => (await rowsOfIntent(paid.id)).map((r) => r.type).sort())
      .toEqual(['charge.refunded', 'payment_intent.succeeded']);
  });
});
