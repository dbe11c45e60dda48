import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { captureLog, type CapturedLog } from '../audit/log-capture';
import {
  PAYMENT_EVENT_HANDLER,
  type ExpectedPayment,
  type PaymentEventHandler,
  type PaymentEventHandling,
  type VerifiedPaymentEvent,
} from '../../src/payments/payment-event';
import {
  PAYMENT_GATEWAY,
  paymentIdempotencyKey,
  type PaymentGateway,
  type PaymentIntentView,
} from '../../src/payments/payment-gateway';
import { startLocalStripe, type LocalStripe } from '../support/stripe-server';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * A stand-in for the orders context behind the `PAYMENT_EVENT_HANDLER` port: orders are entries
 * of a map, and every event it is given is kept (with whether its row was visible inside the
 * handler's transaction, which proves the handler runs in the recording transaction).
 */
export class RecordingPaymentHandler implements PaymentEventHandler {
  readonly orders = new Map<string, ExpectedPayment>();
  readonly handled: (VerifiedPaymentEvent & { rowVisibleInTransaction: boolean })[] = [];
  /** Throws from `handle` while positive (decremented per call). */
  failures = 0;

  async expectedPayment(orderId: string): Promise<ExpectedPayment | null> {
    return Promise.resolve(this.orders.get(orderId) ?? null);
  }

  async handle(event: VerifiedPaymentEvent, manager: EntityManager): Promise<PaymentEventHandling> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('handler failure (test)');
    }
    const rows = await manager.query<unknown[]>('SELECT 1 FROM payment_events WHERE id = $1', [
      event.notice.id,
    ]);
    this.handled.push({ ...event, rowVisibleInTransaction: rows.length === 1 });
    return 'processed';
  }

  /** A new order expecting `amount` euro cents (its intent not recorded yet). */
  order(amount: number): ExpectedPayment {
    const expected: ExpectedPayment = {
      orderId: randomUUID(),
      amount,
      currency: 'EUR',
      paymentIntentId: null,
    };
    this.orders.set(expected.orderId, expected);
    return expected;
  }
}

/**
 * Puts `handler` behind the `PAYMENT_EVENT_HANDLER` port of a running app, in place of the orders
 * context's handler: these suites test the payments context alone, with orders as plain entries.
 * The port's bound instance is the one the event processor holds, so its two methods are
 * redirected to the stand-in.
 */
export function bindHandler(t: TestApp, handler: PaymentEventHandler): void {
  const bound = t.app.get<PaymentEventHandler>(PAYMENT_EVENT_HANDLER);
  Object.assign(bound, {
    expectedPayment: handler.expectedPayment.bind(handler),
    handle: handler.handle.bind(handler),
  });
}

/** A row of `payment_events` as the tests read it. */
export interface PaymentEventRow {
  id: string;
  provider: string;
  type: string;
  payment_intent_id: string | null;
  outcome: string;
  outcome_reason: string;
  processed_at: Date;
}

/** The API on the Stripe provider, pointed at a local Stripe that delivers to its webhook. */
export interface StripeWorld {
  t: TestApp;
  stripe: LocalStripe;
  log: CapturedLog;
  handler: RecordingPaymentHandler;
  gateway: PaymentGateway;
  /** `payment_events` rows, optionally of one event id. */
  rows(eventId?: string): Promise<PaymentEventRow[]>;
  /** Creates an intent for a new order of `amount` cents and records it on the order. */
  intentFor(amount: number): Promise<{ order: ExpectedPayment; intent: PaymentIntentView }>;
  close(): Promise<void>;
}

/** Reads `payment_events` rows through the application's connection. */
export function eventRows(t: TestApp) {
  return async (eventId?: string): Promise<PaymentEventRow[]> => {
    const dataSource = t.app.get(DataSource);
    return eventId === undefined
      ? dataSource.query<PaymentEventRow[]>('SELECT * FROM payment_events ORDER BY received_at')
      : dataSource.query<PaymentEventRow[]>('SELECT * FROM payment_events WHERE id = $1', [
          eventId,
        ]);
  };
}

/** Starts a local Stripe and the API (listening, with a recording handler) on the Stripe provider. */
export async function startStripeWorld(
  env: Record<string, string> = {},
  options: { bindHandler?: boolean } = {},
): Promise<StripeWorld> {
  const stripe = await startLocalStripe();
  const log = captureLog();
  const handler = new RecordingPaymentHandler();
  const t = await startTestApp({
    env: stripe.env(env),
    listen: true,
    logger: log.logger,
  });
  if (options.bindHandler !== false) bindHandler(t, handler);
  stripe.setWebhookEndpoint(`${t.url}/api/payments/stripe/webhook`);
  const gateway = t.app.get<PaymentGateway>(PAYMENT_GATEWAY);
  return {
    t,
    stripe,
    log,
    handler,
    gateway,
    rows: eventRows(t),
    async intentFor(amount) {
      const order = handler.order(amount);
      const intent = await gateway.createIntent({
        orderId: order.orderId,
        amount,
        currency: 'EUR',
        idempotencyKey: paymentIdempotencyKey('create-intent', order.orderId),
      });
      order.paymentIntentId = intent.id;
      return { order, intent };
    },
    async close() {
      await t.close();
      await stripe.close();
    },
  };
}
