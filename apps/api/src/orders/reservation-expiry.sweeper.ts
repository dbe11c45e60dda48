import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CouponsService } from '../coupons/coupons.service';
import {
  PAYMENT_GATEWAY,
  paymentIdempotencyKey,
  type PaymentGateway,
} from '../payments/payment-gateway';
import { PaymentProviderError } from '../payments/payment-provider.error';
import { PaymentEventProcessor } from '../payments/payment-event.processor';
import { cancelOrder } from './order-payment.handler';
import { OrdersRepository } from './orders.repository';
import { StockReservationsRepository } from './stock-reservations.repository';

const SWEEP_BATCH = 50;
/** A pending order is reconciled once it is this old (its webhook should long have arrived). */
export const RECONCILE_AFTER_SECONDS = 300;

/** What one pass of the sweeper did. */
export interface ReservationSweepResult {
  /** Pending orders whose settled intent was applied by reconciliation. */
  reconciled: number;
  cancelled: number;
  /** Left pending: the intent was paid or is being paid, or the provider did not answer. */
  skipped: number;
}

/**
 * Reconciles pending orders and releases expired reservations. Every `ORDER_SWEEP_INTERVAL_MS`,
 * in the API process:
 *
 * - **Reconciliation** first: a pending order older than {@link RECONCILE_AFTER_SECONDS} that
 *   holds a PaymentIntent has it re-read from the provider; a `succeeded` or `canceled` intent is
 *   applied through the same `PaymentEventProcessor` as a webhook (a synthetic event id
 *   `evt_reconcile_<intent>_<status>`, so the amount check, the single effect and the record in
 *   `payment_events` are the same). A lost webhook or a crash between the provider and us never
 *   loses a paid order; the real webhook arriving later finds the order paid and changes nothing.
 * - **Expiry**: the pending orders whose reservation expired (PostgreSQL's clock), each:
 *
 * 1. cancels the PaymentIntent first (idempotency key tied to the order), so the customer can no
 *    longer pay an order about to be cancelled; an intent the provider refuses to cancel because it
 *    succeeded or is processing leaves the order alone (its payment event will mark it paid);
 * 2. then, in a transaction with the order locked and still pending, cancels the order, gives the
 *    units back and releases the coupon use (the cancellation event may have done it already:
 *    the status check makes the two paths apply once).
 *
 * Several API instances may sweep at once: the row locks and conditional updates keep it exact.
 */
@Injectable()
export class ReservationExpirySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Orders');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(OrdersRepository) private readonly orders: OrdersRepository,
    @Inject(StockReservationsRepository) private readonly stock: StockReservationsRepository,
    @Inject(CouponsService) private readonly coupons: CouponsService,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    @Inject(PaymentEventProcessor) private readonly processor: PaymentEventProcessor,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweep()
        .catch((error: unknown) => {
          this.logger.warn(`reservation sweep failed: ${(error as Error).name}`);
        })
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.config.orders.sweepIntervalMs);
    this.timer.unref();
  }

  /** One pass (exposed for tests). */
  async sweep(): Promise<ReservationSweepResult> {
    const result: ReservationSweepResult = { reconciled: 0, cancelled: 0, skipped: 0 };
    result.reconciled = await this.reconcile();
    for (const expired of await this.orders.expiredPendingOrders(SWEEP_BATCH)) {
      if (expired.paymentIntentId !== null && !(await this.cancelIntent(expired))) {
        result.skipped += 1;
        continue;
      }
      const cancelled = await this.orders.transaction(async (manager) => {
        const order = await this.orders.lock(manager, expired.id);
        if (order?.status !== 'pending_payment') return false;
        if (order.reservationExpiresAt.getTime() > Date.now()) return false;
        await cancelOrder(manager, order, this.orders, this.stock, this.coupons);
        return true;
      });
      if (cancelled) result.cancelled += 1;
    }
    return result;
  }

  /** Applies the provider's settled state of old pending orders' intents; returns how many. */
  private async reconcile(): Promise<number> {
    let applied = 0;
    for (const pending of await this.orders.pendingWithIntent(
      RECONCILE_AFTER_SECONDS,
      SWEEP_BATCH,
    )) {
      const intent = await this.gateway.retrieveIntent(pending.paymentIntentId).catch(() => null);
      if (intent?.status !== 'succeeded' && intent?.status !== 'canceled') continue;
      const now = new Date();
      const result = await this.processor.process({
        provider: this.gateway.provider,
        id: `evt_reconcile_${intent.id}_${intent.status}`,
        type: 'reconciliation.payment_intent',
        paymentIntentId: intent.id,
        occurredAt: now,
        receivedAt: now,
      });
      if (result.outcome === 'processed') applied += 1;
    }
    return applied;
  }

  /** True when the intent is cancelled (now or before); false when it must be left alone. */
  private async cancelIntent(order: {
    id: string;
    paymentIntentId: string | null;
  }): Promise<boolean> {
    const intentId = order.paymentIntentId ?? '';
    try {
      const intent = await this.gateway.cancelIntent(intentId, {
        idempotencyKey: paymentIdempotencyKey('cancel-intent', order.id),
        reason: 'abandoned',
      });
      return intent.status === 'canceled';
    } catch (error) {
      if (!(error instanceof PaymentProviderError)) throw error;
      if (error.reason === 'invalid_state') {
        const intent = await this.gateway.retrieveIntent(intentId).catch(() => null);
        return intent?.status === 'canceled';
      }
      this.logger.warn(`could not cancel the PaymentIntent of order ${order.id}: ${error.reason}`);
      return false;
    }
  }
}
