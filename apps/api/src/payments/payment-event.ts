import type { Money, PaymentProvider } from '@storefront/contracts';
import type { EntityManager } from 'typeorm';
import type { PaymentIntentView } from './payment-gateway';

/**
 * A payment event as it arrives: from a signature-verified Stripe webhook, or from the development
 * provider. Only the envelope is trusted; the PaymentIntent it concerns is re-read from the
 * provider before anything acts on it, so events may arrive late, twice or out of order.
 */
export interface PaymentEventNotice {
  provider: PaymentProvider;
  /** The provider's event id (`evt_…`): the deduplication key. */
  id: string;
  /** e.g. `payment_intent.succeeded`, `payment_intent.payment_failed`, `charge.refunded`. */
  type: string;
  /** The PaymentIntent the event concerns, or null for events about something else. */
  paymentIntentId: string | null;
  /** When the provider says the event happened. */
  occurredAt: Date;
  /** When this server received it. */
  receivedAt: Date;
}

/** What the order behind a PaymentIntent expects to be paid. */
export interface ExpectedPayment {
  orderId: string;
  /** Integer minor units, from the order in the database. */
  amount: number;
  currency: Money['currency'];
  /** The PaymentIntent recorded on the order, when there is one: another intent is a mismatch. */
  paymentIntentId: string | null;
}

/**
 * A deduplicated event whose PaymentIntent was re-read from the provider and matched the order:
 * act on `intent.status` (the truth now), not on `notice.type` (what happened then).
 */
export interface VerifiedPaymentEvent {
  notice: PaymentEventNotice;
  intent: PaymentIntentView;
  expected: ExpectedPayment;
}

/** What the handler did with a verified event. */
export type PaymentEventHandling = 'processed' | 'ignored';

/**
 * The port through which the payments context hands verified events to whoever owns orders.
 * Both methods run inside the transaction that records the event (`manager`): marking the order
 * paid, committing its stock and recording the event commit or roll back together, so an event
 * takes effect exactly once. A handler that throws rolls everything back; the webhook answers
 * 5xx and Stripe delivers the event again later.
 *
 * Bind it by exporting {@link PAYMENT_EVENT_HANDLER} from a global module; without a binding, the
 * {@link UNHANDLED_PAYMENT_EVENTS} default records every event as `unhandled`.
 */
export interface PaymentEventHandler {
  /** The payment the order `orderId` expects, or null when there is no such order. */
  expectedPayment(orderId: string, manager: EntityManager): Promise<ExpectedPayment | null>;
  /** Applies a verified event (pay, fail, cancel, refund the order per `intent.status`). */
  handle(event: VerifiedPaymentEvent, manager: EntityManager): Promise<PaymentEventHandling>;
}

/** Injection token of the {@link PaymentEventHandler} (implemented by the orders context). */
export const PAYMENT_EVENT_HANDLER = Symbol('PAYMENT_EVENT_HANDLER');

/** The default handler until orders exist: no order is known, so every event is `unhandled`. */
export const UNHANDLED_PAYMENT_EVENTS: PaymentEventHandler = Object.freeze({
  expectedPayment: () => Promise.resolve(null),
  handle: () => Promise.resolve('ignored' as const),
});

/** How a recorded event ended. */
export type PaymentEventOutcome =
  /** The handler applied it. */
  | 'processed'
  /** Verified and matched, but nothing to do (the handler said so, or not a payment event). */
  | 'ignored'
  /** Nobody could take it: unknown intent, no order id, unknown order. */
  | 'unhandled'
  /** The intent does not match the order (amount, currency, intent): refused, reported. */
  | 'mismatch';

/** Why an event ended as it did (stored with the outcome; never free text). */
export type PaymentEventOutcomeReason =
  | 'handled'
  | 'handler_ignored'
  | 'not_a_payment_intent'
  | 'unknown_intent'
  | 'no_order'
  | 'unknown_order'
  | 'amount_mismatch'
  | 'currency_mismatch'
  | 'intent_mismatch';

/** The result of processing one delivery of an event. */
export interface PaymentEventResult {
  /** False when the event id was recorded before: acknowledged, not processed again. */
  firstDelivery: boolean;
  outcome: PaymentEventOutcome | null;
  reason: PaymentEventOutcomeReason | null;
}
