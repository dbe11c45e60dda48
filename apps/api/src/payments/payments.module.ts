import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { DevelopmentPaymentGateway } from './development/development-payment.gateway';
import { DevelopmentPaymentsController } from './development/development-payments.controller';
import { PaymentEventProcessor } from './payment-event.processor';
import { PaymentEventsRepository } from './payment-events.repository';
import { PAYMENT_GATEWAY } from './payment-gateway';
import { RawBodyCapture } from './stripe/raw-body.capture';
import { StripePaymentGateway, createStripeClient } from './stripe/stripe-payment.gateway';
import { StripeWebhookController } from './stripe/stripe-webhook.controller';
import { StripeWebhookVerifier } from './stripe/stripe-webhook.verifier';

/** Connects the development provider's own state changes (cancel, refund) to event processing. */
const DEVELOPMENT_EVENT_WIRING = Symbol('DEVELOPMENT_EVENT_WIRING');

function providerBindings(config: AppConfig): Provider[] {
  const payments = config.payments;
  if (payments.provider === 'stripe') {
    return [
      {
        provide: PAYMENT_GATEWAY,
        useFactory: () => new StripePaymentGateway(createStripeClient(payments)),
      },
      {
        provide: StripeWebhookVerifier,
        useFactory: () => new StripeWebhookVerifier(payments.webhookSecret),
      },
    ];
  }
  return [
    DevelopmentPaymentGateway,
    { provide: PAYMENT_GATEWAY, useExisting: DevelopmentPaymentGateway },
    {
      provide: DEVELOPMENT_EVENT_WIRING,
      inject: [DevelopmentPaymentGateway, PaymentEventProcessor],
      useFactory: (gateway: DevelopmentPaymentGateway, processor: PaymentEventProcessor) => {
        gateway.setEventSink((notice) => processor.process(notice));
        return true;
      },
    },
  ];
}

/**
 * Payments: the configured {@link PAYMENT_GATEWAY} (Stripe through its SDK, or the development
 * provider), `POST /api/payments/stripe/webhook` (verified, deduplicated, re-read, dispatched to
 * the `PAYMENT_EVENT_HANDLER` port) and, with the development provider only, its simulated
 * browser routes. Global, so the orders context injects `PAYMENT_GATEWAY` without importing it.
 *
 * Wire with `PaymentsModule.forRoot(config)` in the application module. Needs `APP_CONFIG`, the
 * TypeORM `DataSource`, the key-value store and `SecurityEvents` from global modules.
 */
@Module({})
export class PaymentsModule {
  static forRoot(config: AppConfig): DynamicModule {
    const development = config.payments.provider === 'development';
    return {
      module: PaymentsModule,
      global: true,
      controllers: [
        StripeWebhookController,
        ...(development ? [DevelopmentPaymentsController] : []),
      ],
      providers: [
        RawBodyCapture,
        PaymentEventsRepository,
        PaymentEventProcessor,
        ...providerBindings(config),
      ],
      exports: [PAYMENT_GATEWAY, PaymentEventProcessor],
    };
  }
}
