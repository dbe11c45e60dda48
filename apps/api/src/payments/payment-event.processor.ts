import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { systemActor, type AuditContext } from '../audit/audit-context';
import { SecurityEvents } from '../audit/security-events.service';
import {
  PAYMENT_EVENT_HANDLER,
  UNHANDLED_PAYMENT_EVENTS,
  type PaymentEventHandler,
  type PaymentEventNotice,
  type PaymentEventOutcome,
  type PaymentEventOutcomeReason,
  type PaymentEventResult,
} from './payment-event';
import { PAYMENT_GATEWAY, type PaymentGateway, type PaymentIntentView } from './payment-gateway';
import { PaymentProviderError } from './payment-provider.error';
import { PaymentEventsRepository } from './payment-events.repository';

type Decision = { outcome: PaymentEventOutcome; reason: PaymentEventOutcomeReason };

/**
 * Takes a payment event from its arrival to its single recorded effect:
 *
 * 1. an event id already in `payment_events` is acknowledged and not processed again;
 * 2. the PaymentIntent is re-read from the provider (the event's snapshot may be stale or out of
 *    order; a provider outage throws, nothing is recorded, and the provider retries later);
 * 3. in one transaction: the id is claimed (unique key: a concurrent duplicate waits, then finds
 *    it), the order behind the intent's own `metadata.orderId` is asked what it expects, amount,
 *    currency and intent are compared, the handler applies the event, and the outcome is written.
 *
 * Without an order to take it, the event is recorded as `unhandled`; a mismatch is recorded as
 * `mismatch` and reported (`payment.webhook.rejected`), and the order is left alone.
 */
@Injectable()
export class PaymentEventProcessor {
  private readonly logger = new Logger('Payments');
  private readonly handler: PaymentEventHandler;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(PaymentEventsRepository) private readonly events: PaymentEventsRepository,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    @Inject(SecurityEvents) private readonly securityEvents: SecurityEvents,
    @Optional() @Inject(PAYMENT_EVENT_HANDLER) handler?: PaymentEventHandler,
  ) {
    this.handler = handler ?? UNHANDLED_PAYMENT_EVENTS;
  }

  /** Processes one delivery of an event; `ctx` names who delivered it (for the security log). */
  async process(notice: PaymentEventNotice, ctx?: AuditContext): Promise<PaymentEventResult> {
    if (await this.events.exists(notice.id)) {
      return { firstDelivery: false, outcome: null, reason: null };
    }
    const intent = notice.paymentIntentId ? await this.currentIntent(notice.paymentIntentId) : null;

    const decision = await this.dataSource.transaction(async (manager) => {
      // Null: another delivery of the same event claimed it first.
      if (!(await this.events.claim(manager, notice))) return null;
      const decided = await this.decide(notice, intent, manager);
      await this.events.settle(manager, notice.id, decided.outcome, decided.reason);
      return decided;
    });
    if (decision === null) return { firstDelivery: false, outcome: null, reason: null };
    if (decision.outcome === 'mismatch' && intent) {
      this.securityEvents.report(ctx ?? { actor: systemActor(`payments:${notice.provider}`) }, {
        name: 'payment.webhook.rejected',
        target: { type: 'payment_intent', id: intent.id },
        details: {
          provider: notice.provider,
          reason: decision.reason as 'amount_mismatch' | 'currency_mismatch' | 'intent_mismatch',
        },
      });
    }
    if (decision.outcome === 'unhandled' || decision.outcome === 'mismatch') {
      this.logger.warn(
        `payment event ${notice.id} (${notice.type}) recorded as ${decision.outcome}: ${decision.reason}`,
      );
    }
    return { firstDelivery: true, ...decision };
  }

  /** The intent as the provider sees it now; null when the provider does not know it. */
  private async currentIntent(id: string): Promise<PaymentIntentView | null> {
    try {
      return await this.gateway.retrieveIntent(id);
    } catch (error) {
      if (error instanceof PaymentProviderError && error.reason === 'not_found') return null;
      throw error;
    }
  }

  private async decide(
    notice: PaymentEventNotice,
    intent: PaymentIntentView | null,
    manager: EntityManager,
  ): Promise<Decision> {
    if (notice.paymentIntentId === null)
      return { outcome: 'ignored', reason: 'not_a_payment_intent' };
    if (intent === null) return { outcome: 'unhandled', reason: 'unknown_intent' };
    if (intent.id !== notice.paymentIntentId) {
      return { outcome: 'mismatch', reason: 'intent_mismatch' };
    }
    if (intent.orderId === null) return { outcome: 'unhandled', reason: 'no_order' };
    const expected = await this.handler.expectedPayment(intent.orderId, manager);
    if (expected === null) return { outcome: 'unhandled', reason: 'unknown_order' };
    if (expected.paymentIntentId !== null && expected.paymentIntentId !== intent.id) {
      return { outcome: 'mismatch', reason: 'intent_mismatch' };
    }
    if (expected.currency !== intent.currency) {
      return { outcome: 'mismatch', reason: 'currency_mismatch' };
    }
    if (expected.amount !== intent.amount)
      return { outcome: 'mismatch', reason: 'amount_mismatch' };
    const handled = await this.handler.handle({ notice, intent, expected }, manager);
    return handled === 'processed'
      ? { outcome: 'processed', reason: 'handled' }
      : { outcome: 'ignored', reason: 'handler_ignored' };
  }
}
