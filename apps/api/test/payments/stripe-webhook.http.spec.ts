import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeWorld, type StripeWorld } from './payments-fixture';

let world: StripeWorld;
beforeAll(async () => {
  world = await startStripeWorld();
});
afterAll(async () => {
  await world.close();
});

type Line = Record<string, unknown> & { details?: Record<string, unknown> };

/** `payment.webhook.rejected` security-event lines so far. */
function rejections(): Line[] {
  return (world.log.lines() as Line[]).filter(
    (l) => l.securityEvent === 'payment.webhook.rejected',
  );
}

const ack = { status: 200, body: { received: true } };
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('POST /api/payments/stripe/webhook — accepted events', () => {
  it('records a verified event once, after re-reading the PaymentIntent, and hands it to the orders port', async () => {
    const { order, intent } = await world.intentFor(2_500);
    const event = world.stripe.setIntentState(intent.id, 'succeeded');
    // No Origin, no Sec-Fetch-Site, no cookie: a server-to-server call passes the CSRF checks.
    expect(await world.stripe.deliver(event)).toEqual(ack);

    const [row] = await world.rows(event.id);
    expect(row).toMatchObject({
      provider: 'stripe',
      type: 'payment_intent.succeeded',
      payment_intent_id: intent.id,
      outcome: 'processed',
      outcome_reason: 'handled',
    });
    const handled = world.handler.handled.filter((h) => h.notice.id === event.id);
    expect(handled).toHaveLength(1);
    expect(handled[0]).toMatchObject({
      intent: { id: intent.id, status: 'succeeded', amountReceived: 2_500, orderId: order.orderId },
      expected: { orderId: order.orderId, amount: 2_500 },
      // The handler runs inside the transaction that records the event.
      rowVisibleInTransaction: true,
    });
  });

  it('acknowledges a replayed event id without processing it again (and without asking Stripe)', async () => {
    const { intent } = await world.intentFor(1_500);
    const event = world.stripe.setIntentState(intent.id, 'succeeded');
    expect(await world.stripe.deliver(event)).toEqual(ack);
    const [first] = await world.rows(event.id);
    const retrievals = () =>
      world.stripe.requests.filter((r) => r.method === 'GET' && r.path.endsWith(intent.id)).length;
    const before = retrievals();

    // Stripe redelivers (a new signature), or an attacker replays the captured request.
    expect(await world.stripe.deliver(event)).toEqual(ack);
    expect(await world.stripe.deliver(event, { timestamp: nowSeconds() - 10 })).toEqual(ack);

    expect(await world.rows(event.id)).toEqual([first]);
    expect(world.handler.handled.filter((h) => h.notice.id === event.id)).toHaveLength(1);
    expect(retrievals()).toBe(before);
  });

  it('processes concurrent deliveries of one event exactly once (unique event id)', async () => {
    const { intent } = await world.intentFor(1_800);
    const event = world.stripe.setIntentState(intent.id, 'succeeded');
    const results = await Promise.all(Array.from({ length: 6 }, () => world.stripe.deliver(event)));
    expect(results).toEqual(Array.from({ length: 6 }, () => ack));
    expect(await world.rows(event.id)).toHaveLength(1);
    expect(world.handler.handled.filter((h) => h.notice.id === event.id)).toHaveLength(1);
  });

  it('acts on the PaymentIntent as it is now, not on a stale or reordered event', async () => {
    const { intent } = await world.intentFor(4_200);
    const failed = world.stripe.setIntentState(intent.id, 'failed');
    const succeeded = world.stripe.setIntentState(intent.id, 'succeeded');
    // Delivered in the wrong order: the late "payment_failed" says requires_payment_method.
    expect(await world.stripe.deliver(succeeded)).toEqual(ack);
    expect(await world.stripe.deliver(failed)).toEqual(ack);
    expect((failed.data.object as { status: string }).status, 'the event snapshot is stale').toBe(
      'requires_payment_method',
    );
    const late = world.handler.handled.find((h) => h.notice.id === failed.id);
    expect(late?.notice.type).toBe('payment_intent.payment_failed');
    expect(late?.intent.status).toBe('succeeded');
  });

  it('records an event about an unknown intent as unhandled (no order touched)', async () => {
    const event = world.stripe.event('payment_intent.succeeded', {
      id: 'pi_unknownToThisShop123',
      object: 'payment_intent',
      amount: 100,
      currency: 'eur',
      metadata: {},
    });
    expect(await world.stripe.deliver(event)).toEqual(ack);
    expect(await world.rows(event.id)).toMatchObject([
      { outcome: 'unhandled', outcome_reason: 'unknown_intent' },
    ]);
    expect(world.handler.handled.find((h) => h.notice.id === event.id)).toBeUndefined();
  });

  it('records an event for an order nobody knows as unhandled', async () => {
    const { intent } = await world.intentFor(900);
    world.handler.orders.clear();
    const event = world.stripe.setIntentState(intent.id, 'succeeded');
    expect(await world.stripe.deliver(event)).toEqual(ack);
    expect(await world.rows(event.id)).toMatchObject([
      { outcome: 'unhandled', outcome_reason: 'unknown_order' },
    ]);
  });

  it('records events about other objects as ignored', async () => {
    const event = world.stripe.event('customer.created', { id: 'cus_123', object: 'customer' });
    expect(await world.stripe.deliver(event)).toEqual(ack);
    expect(await world.rows(event.id)).toMatchObject([
      { payment_intent_id: null, outcome: 'ignored', outcome_reason: 'not_a_payment_intent' },
    ]);
  });

  it('follows a charge or refund event to its PaymentIntent', async () => {
    const { intent } = await world.intentFor(3_300);
    world.stripe.setIntentState(intent.id, 'succeeded');
    const event = world.stripe.event('charge.refunded', {
      id: 'ch_123',
      object: 'charge',
      payment_intent: intent.id,
    });
    expect(await world.stripe.deliver(event)).toEqual(ack);
    expect(await world.rows(event.id)).toMatchObject([
      { payment_intent_id: intent.id, outcome: 'processed' },
    ]);
  });
});

describe('POST /api/payments/stripe/webhook — payments that do not match their order', () => {
  it('refuses an amount that differs from the order: recorded as mismatch, reported, order untouched', async () => {
    const { order, intent } = await world.intentFor(5_000);
    order.amount = 4_000; // what the order says it costs now
    const event = world.stripe.setIntentState(intent.id, 'succeeded');
    expect(await world.stripe.deliver(event)).toEqual(ack);
    expect(await world.rows(event.id)).toMatchObject([
      { outcome: 'mismatch', outcome_reason: 'amount_mismatch' },
    ]);
    expect(world.handler.handled.find((h) => h.notice.id === event.id)).toBeUndefined();
    expect(rejections().at(-1)).toMatchObject({
      details: { provider: 'stripe', reason: 'amount_mismatch' },
      target: { type: 'payment_intent', id: intent.id },
    });
  });

  it('refuses another intent than the one recorded on the order, and another currency', async () => {
    const first = await world.intentFor(2_000);
    first.order.paymentIntentId = 'pi_theOneTheOrderRecorded';
    const event = world.stripe.setIntentState(first.intent.id, 'succeeded');
    await world.stripe.deliver(event);
    expect(await world.rows(event.id)).toMatchObject([{ outcome_reason: 'intent_mismatch' }]);

    const second = await world.intentFor(2_000);
    (second.order as { currency: string }).currency = 'USD';
    const other = world.stripe.setIntentState(second.intent.id, 'succeeded');
    await world.stripe.deliver(other);
    expect(await world.rows(other.id)).toMatchObject([{ outcome_reason: 'currency_mismatch' }]);
  });
});

describe('POST /api/payments/stripe/webhook — refused deliveries (400, nothing recorded)', () => {
  async function expectRefused(
    deliver: () => Promise<{ status: number; body: unknown }>,
    eventId: string,
    reason: string,
  ): Promise<void> {
    const before = rejections().length;
    const result = await deliver();
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ error: { code: 'WEBHOOK_SIGNATURE_INVALID' } });
    expect(await world.rows(eventId)).toEqual([]);
    expect(
      rejections()
        .slice(before)
        .map((l) => l.details),
    ).toEqual([{ provider: 'stripe', reason }]);
  }

  it('a forged signature', async () => {
    const { intent } = await world.intentFor(1_000);
    const event = world.stripe.setIntentState(intent.id, 'succeeded');
    const forged = `t=${nowSeconds()},v1=${'ab'.repeat(32)}`;
    await expectRefused(
      () => world.stripe.deliver(event, { signature: forged }),
      event.id,
      'invalid_signature',
    );
  });

  it('a signature made with another secret', async () => {
    const { intent } = await world.intentFor(1_000);
    const event = world.stripe.setIntentState(intent.id, 'succeeded');
    await expectRefused(
      () => world.stripe.deliver(event, { secret: `whsec_${'A'.repeat(32)}` }),
      event.id,
      'invalid_signature',
    );
  });

  it('a body changed after signing', async () => {
    const { intent } = await world.intentFor(1_000);
    const event = world.stripe.setIntentState(intent.id, 'succeeded');
    const signed = JSON.stringify(event, null, 2);
    const signature = world.stripe.sign(signed, world.stripe.webhookSecret, nowSeconds());
    const tampered = signed.replace('"amount": 1000', '"amount": 1');
    expect(tampered).not.toBe(signed);
    await expectRefused(
      () => world.stripe.deliver(event, { body: tampered, signature }),
      event.id,
      'invalid_signature',
    );
  });

  it('a missing signature', async () => {
    const { intent } = await world.intentFor(1_000);
    const event = world.stripe.setIntentState(intent.id, 'succeeded');
    await expectRefused(
      () => world.stripe.deliver(event, { signature: null }),
      event.id,
      'missing_signature',
    );
  });

  it('a genuine signature older than the 300 s tolerance (a replay of a captured request)', async () => {
    const { intent } = await world.intentFor(1_000);
    const event = world.stripe.setIntentState(intent.id, 'succeeded');
    await expectRefused(
      () => world.stripe.deliver(event, { timestamp: nowSeconds() - 301 }),
      event.id,
      'stale_timestamp',
    );
    // Within the tolerance, the same event is accepted.
    expect(await world.stripe.deliver(event, { timestamp: nowSeconds() - 200 })).toEqual(ack);
  });

  it('malformed JSON (400) and non-JSON bodies (415), even when correctly signed', async () => {
    const event = world.stripe.event('payment_intent.succeeded', {
      id: 'pi_malformed123',
      object: 'payment_intent',
    });
    const broken = '{"id": "' + event.id + '", "object": "event",';
    const malformed = await world.stripe.deliver(event, { body: broken });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: { code: 'MALFORMED_BODY' } });

    const form = await world.stripe.deliver(event, {
      body: `id=${event.id}`,
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(415);
    const text = await world.stripe.deliver(event, {
      body: JSON.stringify(event),
      contentType: 'text/plain',
    });
    expect(text.status).toBe(415);
    expect(await world.rows(event.id)).toEqual([]);
  });

  it('a genuine signature over something that is not an event', async () => {
    const event = world.stripe.event('payment_intent.succeeded', {
      id: 'pi_notAnEvent123',
      object: 'payment_intent',
    });
    const before = rejections().length;
    const result = await world.stripe.deliver(event, {
      body: JSON.stringify({ id: event.id, object: 'event', type: 'x' }),
    });
    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ error: { code: 'MALFORMED_BODY' } });
    expect(
      rejections()
        .slice(before)
        .map((l) => l.details),
    ).toEqual([{ provider: 'stripe', reason: 'invalid_payload' }]);
    expect(await world.rows(event.id)).toEqual([]);
  });

  it('a body over the limit (the raw-body capture keeps the body limit)', async () => {
    const event = world.stripe.event('payment_intent.succeeded', {
      id: 'pi_huge123',
      object: 'payment_intent',
      padding: 'x'.repeat(world.t.config.http.bodyLimitBytes + 1),
    });
    const result = await world.stripe.deliver(event);
    expect(result.status).toBe(413);
    expect(await world.rows(event.id)).toEqual([]);
  });

  it('never logs the signing secret or a signature', () => {
    const text = world.log.text();
    expect(text).not.toContain(world.stripe.webhookSecret);
    expect(text).not.toContain(world.stripe.secretKey);
    expect(text).not.toMatch(/v1=[0-9a-f]{64}/);
  });
});

describe('POST /api/payments/stripe/webhook — failures answer 5xx so that Stripe delivers again', () => {
  it('a handler failure rolls back: nothing recorded, 500; the redelivery is processed once', async () => {
    const { intent } = await world.intentFor(2_200);
    const event = world.stripe.setIntentState(intent.id, 'succeeded');
    world.handler.failures = 1;
    const failed = await world.stripe.deliver(event);
    expect(failed.status).toBe(500);
    expect(await world.rows(event.id)).toEqual([]);

    expect(await world.stripe.deliver(event)).toEqual(ack);
    expect(await world.rows(event.id)).toMatchObject([{ outcome: 'processed' }]);
    expect(world.handler.handled.filter((h) => h.notice.id === event.id)).toHaveLength(1);
  });

  it('Stripe unavailable while re-reading the intent: 503, nothing recorded; redelivery recorded', async () => {
    const { intent } = await world.intentFor(2_300);
    const event = world.stripe.setIntentState(intent.id, 'succeeded');
    world.stripe.failNext({ kind: 'status', status: 500 }, 1, `/v1/payment_intents/${intent.id}`);
    const failed = await world.stripe.deliver(event);
    expect(failed.status).toBe(503);
    expect(failed.body).toMatchObject({ error: { code: 'PAYMENT_PROVIDER_UNAVAILABLE' } });
    expect(await world.rows(event.id)).toEqual([]);

    expect(await world.stripe.deliver(event)).toEqual(ack);
    expect(await world.rows(event.id)).toMatchObject([{ outcome: 'processed' }]);
  });
});

describe('POST /api/payments/stripe/webhook — not throttled', () => {
  it('is exempt from the per-IP limits (a flash sale must not delay payments), unlike other routes', async () => {
    const small = await startStripeWorld({ RATE_LIMIT_DEFAULT: '3/60' });
    try {
      for (let i = 0; i < 6; i++) {
        const event = small.stripe.event('customer.created', {
          id: `cus_${i}`,
          object: 'customer',
        });
        expect(await small.stripe.deliver(event)).toEqual(ack);
      }
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await fetch(`${small.t.url}/api/categories`)).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await small.close();
    }
  });
});
