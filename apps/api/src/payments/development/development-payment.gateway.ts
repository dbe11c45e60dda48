import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { DevelopmentPaymentMethod, PaymentIntentStatus } from '@storefront/contracts';
import { KEY_VALUE_STORE, type KeyValueStore } from '../../store/key-value-store';
import type { PaymentEventNotice } from '../payment-event';
import {
  PaymentClientSecret,
  assertCreateInput,
  assertIdempotencyKey,
  assertIntentId,
  assertRefundInput,
  type CancellationReason,
  type CreatePaymentIntentInput,
  type PaymentFailure,
  type PaymentGateway,
  type PaymentIntentView,
  type RefundInput,
  type RefundView,
} from '../payment-gateway';
import { PaymentProviderError } from '../payment-provider.error';

/** A simulated PaymentIntent as stored (JSON in the key-value store). */
interface StoredIntent {
  id: string;
  clientSecret: string;
  status: PaymentIntentStatus;
  amount: number;
  amountReceived: number;
  amountRefunded: number;
  currency: string;
  orderId: string;
  lastFailure: PaymentFailure | null;
  createdAt: string;
}

/** A stored idempotent answer: what was asked (fingerprint) and the object it produced. */
interface StoredIdempotency {
  fingerprint: string;
  objectId: string;
}

/** How long simulated objects live (a week: longer than any reservation or retry). */
const TTL_SECONDS = 7 * 24 * 3600;

const CANCELLABLE: ReadonlySet<PaymentIntentStatus> = new Set([
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'requires_capture',
  'processing',
]);

function randomId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Where the event of a state change goes (the event processor, registered by the module). */
export type DevelopmentEventSink = (notice: PaymentEventNotice) => Promise<unknown>;

/**
 * The development payment provider (`PAYMENT_PROVIDER=development`, refused in production):
 * the same {@link PaymentGateway} as Stripe, with no keys and no network. Intents live in the
 * key-value store (Redis when configured, else the process), answers to an idempotency key are
 * replayed like Stripe's (another request under the same key is an `idempotency_conflict`), and
 * the browser's part is simulated with Stripe's own test tokens (see {@link confirm}). Every state
 * change produces the event Stripe would send, through the same event processor as a webhook.
 */
@Injectable()
export class DevelopmentPaymentGateway implements PaymentGateway {
  readonly provider = 'development' as const;
  private readonly logger = new Logger('Payments');
  /** Per-key chains serialising work on one intent or idempotency key within this process. */
  private readonly locks = new Map<string, Promise<unknown>>();
  private sink: DevelopmentEventSink | null = null;

  constructor(@Inject(KEY_VALUE_STORE) private readonly store: KeyValueStore) {}

  /** Sets where state-change events go (the module wires the event processor). */
  setEventSink(sink: DevelopmentEventSink): void {
    this.sink = sink;
  }

  async createIntent(input: CreatePaymentIntentInput): Promise<PaymentIntentView> {
    assertCreateInput(input);
    const fingerprint = `create-intent:${input.orderId}:${input.amount}:${input.currency}`;
    return this.idempotent(input.idempotencyKey, fingerprint, async (existing) => {
      if (existing) return { objectId: existing, result: this.view(await this.load(existing)) };
      const intent: StoredIntent = {
        id: randomId('pi_dev_'),
        status: 'requires_payment_method',
        clientSecret: '',
        amount: input.amount,
        amountReceived: 0,
        amountRefunded: 0,
        currency: input.currency,
        orderId: input.orderId,
        lastFailure: null,
        createdAt: new Date().toISOString(),
      };
      intent.clientSecret = `${intent.id}_secret_${randomBytes(12).toString('hex')}`;
      await this.save(intent);
      return { objectId: intent.id, result: this.view(intent) };
    });
  }

  async retrieveIntent(id: string): Promise<PaymentIntentView> {
    assertIntentId(id);
    return this.view(await this.load(id));
  }

  async cancelIntent(
    id: string,
    options: { idempotencyKey: string; reason?: CancellationReason },
  ): Promise<PaymentIntentView> {
    assertIntentId(id);
    assertIdempotencyKey(options.idempotencyKey);
    return this.idempotent(options.idempotencyKey, `cancel-intent:${id}`, async (existing) => {
      if (existing) return { objectId: existing, result: this.view(await this.load(existing)) };
      const intent = await this.withIntent(id, (current) => {
        if (!CANCELLABLE.has(current.status)) throw new PaymentProviderError('invalid_state');
        return { ...current, status: 'canceled' };
      });
      this.emitLater('payment_intent.canceled', intent.id);
      return { objectId: intent.id, result: this.view(intent) };
    });
  }

  async refund(input: RefundInput): Promise<RefundView> {
    assertRefundInput(input);
    const fingerprint = `refund:${input.paymentIntentId}:${input.amount}`;
    return this.idempotent(input.idempotencyKey, fingerprint, async (existing) => {
      const refundId = existing ?? randomId('re_dev_');
      const refund: RefundView = {
        provider: 'development',
        id: refundId,
        paymentIntentId: input.paymentIntentId,
        amount: input.amount,
        currency: '',
        status: 'succeeded',
      };
      if (existing) {
        const intent = await this.load(input.paymentIntentId);
        return { objectId: existing, result: { ...refund, currency: intent.currency } };
      }
      const intent = await this.withIntent(input.paymentIntentId, (current) => {
        if (current.status !== 'succeeded') throw new PaymentProviderError('invalid_state');
        if (current.amountRefunded + input.amount > current.amountReceived) {
          throw new PaymentProviderError('invalid_state');
        }
        return { ...current, amountRefunded: current.amountRefunded + input.amount };
      });
      this.emitLater('charge.refunded', intent.id);
      return { objectId: refundId, result: { ...refund, currency: intent.currency } };
    });
  }

  /**
   * The browser's confirmation, simulated: `pm_card_visa` succeeds, `pm_card_chargeDeclined` is
   * declined (`card_declined`/`generic_decline`), `pm_card_authenticationRequired` asks for 3-D
   * Secure ({@link authenticate}). The client secret must match (compared in constant time); a
   * wrong one looks like an unknown intent. Returns the intent and the event type to emit.
   */
  async confirm(
    id: string,
    clientSecret: string,
    paymentMethod: DevelopmentPaymentMethod,
  ): Promise<{ intent: PaymentIntentView; eventType: string }> {
    const intent = await this.withIntent(id, (current) => {
      if (!sameSecret(current.clientSecret, clientSecret)) {
        throw new PaymentProviderError('not_found');
      }
      if (
        current.status !== 'requires_payment_method' &&
        current.status !== 'requires_confirmation'
      ) {
        throw new PaymentProviderError('invalid_state');
      }
      switch (paymentMethod) {
        case 'pm_card_visa':
          return {
            ...current,
            status: 'succeeded',
            amountReceived: current.amount,
            lastFailure: null,
          };
        case 'pm_card_chargeDeclined':
          return {
            ...current,
            status: 'requires_payment_method',
            lastFailure: { code: 'card_declined', declineCode: 'generic_decline' },
          };
        case 'pm_card_authenticationRequired':
          return { ...current, status: 'requires_action', lastFailure: null };
      }
    });
    return { intent: this.view(intent), eventType: eventTypeOf(intent) };
  }

  /** The simulated 3-D Secure step of an intent in `requires_action`: approve or fail. */
  async authenticate(
    id: string,
    clientSecret: string,
    outcome: 'approve' | 'fail',
  ): Promise<{ intent: PaymentIntentView; eventType: string }> {
    const intent = await this.withIntent(id, (current) => {
      if (!sameSecret(current.clientSecret, clientSecret)) {
        throw new PaymentProviderError('not_found');
      }
      if (current.status !== 'requires_action') throw new PaymentProviderError('invalid_state');
      return outcome === 'approve'
        ? { ...current, status: 'succeeded', amountReceived: current.amount }
        : {
            ...current,
            status: 'requires_payment_method',
            lastFailure: { code: 'payment_intent_authentication_failure', declineCode: null },
          };
    });
    return { intent: this.view(intent), eventType: eventTypeOf(intent) };
  }

  /** A new development event about an intent (ids like Stripe's: `evt_dev_…`). */
  static notice(type: string, paymentIntentId: string): PaymentEventNotice {
    const now = new Date();
    return {
      provider: 'development',
      id: randomId('evt_dev_'),
      type,
      paymentIntentId,
      occurredAt: now,
      receivedAt: now,
    };
  }

  /** Emits an event after the caller's work (never inside its transaction), like a webhook. */
  private emitLater(type: string, intentId: string): void {
    const sink = this.sink;
    if (!sink) return;
    setImmediate(() => {
      sink(DevelopmentPaymentGateway.notice(type, intentId)).catch((error: unknown) => {
        this.logger.warn(
          `development payment event ${type} for ${intentId} failed: ${(error as Error).name}`,
        );
      });
    });
  }

  private view(intent: StoredIntent): PaymentIntentView {
    return {
      provider: 'development',
      id: intent.id,
      status: intent.status,
      amount: intent.amount,
      amountReceived: intent.amountReceived,
      currency: intent.currency,
      orderId: intent.orderId,
      clientSecret: new PaymentClientSecret(intent.clientSecret),
      requiresAction: intent.status === 'requires_action',
      lastFailure: intent.lastFailure,
      createdAt: new Date(intent.createdAt),
      livemode: false,
    };
  }

  private async load(id: string): Promise<StoredIntent> {
    const raw = await this.store.get(`payments:dev:intent:${id}`);
    if (raw === null) throw new PaymentProviderError('not_found');
    return JSON.parse(raw) as StoredIntent;
  }

  private save(intent: StoredIntent): Promise<void> {
    return this.store.set(`payments:dev:intent:${intent.id}`, JSON.stringify(intent), TTL_SECONDS);
  }

  /** Reads, changes and writes one intent, one change at a time per intent in this process. */
  private withIntent(
    id: string,
    change: (current: StoredIntent) => StoredIntent,
  ): Promise<StoredIntent> {
    assertIntentId(id);
    return this.serialised(`intent:${id}`, async () => {
      const next = change(await this.load(id));
      await this.save(next);
      return next;
    });
  }

  /**
   * Runs `work` at most once per idempotency key: a later call with the same key and request
   * gets the first object back (`existing` is its id); with another request, a conflict.
   */
  private idempotent<T>(
    key: string,
    fingerprint: string,
    work: (existing: string | null) => Promise<{ objectId: string; result: T }>,
  ): Promise<T> {
    const storeKey = `payments:dev:idempotency:${createHash('sha256').update(key).digest('hex')}`;
    return this.serialised(storeKey, async () => {
      const raw = await this.store.get(storeKey);
      const previous = raw === null ? null : (JSON.parse(raw) as StoredIdempotency);
      if (previous && previous.fingerprint !== fingerprint) {
        throw new PaymentProviderError('idempotency_conflict');
      }
      const { objectId, result } = await work(previous?.objectId ?? null);
      if (!previous) {
        const record: StoredIdempotency = { fingerprint, objectId };
        await this.store.set(storeKey, JSON.stringify(record), TTL_SECONDS);
      }
      return result;
    });
  }

  private serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.locks.set(key, settled);
    void settled.then(() => {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    });
    return next;
  }
}

/** The event Stripe sends for the state an intent reached. */
function eventTypeOf(intent: StoredIntent): string {
  switch (intent.status) {
    case 'succeeded':
      return 'payment_intent.succeeded';
    case 'requires_action':
      return 'payment_intent.requires_action';
    case 'canceled':
      return 'payment_intent.canceled';
    case 'processing':
      return 'payment_intent.processing';
    default:
      return 'payment_intent.payment_failed';
  }
}
