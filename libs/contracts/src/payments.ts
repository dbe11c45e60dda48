import { z } from 'zod';
import { CURRENCIES } from './money';

/**
 * Payment contracts. Card data never reaches the shop's servers (PCI DSS SAQ A): the browser talks
 * to Stripe's Payment Element with a PaymentIntent's client secret, and the API only ever sees
 * PaymentIntent ids, client secrets and Stripe's signed webhooks. In development without Stripe
 * keys, a development provider plays Stripe's part with test payment-method tokens.
 */

/** Who takes payments: Stripe, or the development simulator (refused in production). */
export const PAYMENT_PROVIDERS = ['stripe', 'development'] as const;
/** One of {@link PAYMENT_PROVIDERS}. */
export type PaymentProvider = (typeof PAYMENT_PROVIDERS)[number];

/** A PaymentIntent id as Stripe writes them (`pi_…`); the development provider uses `pi_dev_…`. */
export const PaymentIntentIdSchema = z
  .string()
  .regex(/^pi_[A-Za-z0-9_]{1,120}$/, 'must be a PaymentIntent id (pi_…)');

/** A PaymentIntent's client secret (`pi_…_secret_…`): handed to the browser, never logged. */
export const PaymentClientSecretSchema = z
  .string()
  .regex(/^pi_[A-Za-z0-9_]{1,120}_secret_[A-Za-z0-9]{1,120}$/, 'must be a client secret');

/** The life cycle of a PaymentIntent (Stripe's statuses; the shop acts only on the server's view). */
export const PAYMENT_INTENT_STATUSES = [
  'requires_payment_method',
  'requires_confirmation',
  'requires_action',
  'processing',
  'requires_capture',
  'canceled',
  'succeeded',
] as const;
/** One of {@link PAYMENT_INTENT_STATUSES}. */
export type PaymentIntentStatus = (typeof PAYMENT_INTENT_STATUSES)[number];

/**
 * What the checkout hands the browser to collect a payment: the provider, the PaymentIntent and its
 * client secret, and (Stripe) the publishable key for Stripe.js. Amount and currency are shown from
 * the order, never taken back from the client.
 */
export const PaymentClientSessionSchema = z.strictObject({
  provider: z.enum(PAYMENT_PROVIDERS),
  paymentIntentId: PaymentIntentIdSchema,
  clientSecret: PaymentClientSecretSchema,
  publishableKey: z
    .string()
    .regex(/^pk_(test|live)_[A-Za-z0-9]+$/)
    .nullable()
    .describe('Stripe publishable key for Stripe.js; null with the development provider.'),
  amount: z.number().int().positive().describe('Integer minor units, from the order.'),
  currency: z.enum(CURRENCIES),
});
/** {@link PaymentClientSessionSchema} as TypeScript. */
export type PaymentClientSession = z.infer<typeof PaymentClientSessionSchema>;

/**
 * The envelope of a Stripe webhook event, as far as the API reads it (`POST
 * /api/payments/stripe/webhook`). Stripe's full object is accepted (`looseObject`): the signature
 * covers the raw bytes, and the API re-reads the PaymentIntent instead of trusting the snapshot.
 */
export const StripeWebhookEventSchema = z.looseObject({
  id: z.string().regex(/^evt_[A-Za-z0-9_]{1,200}$/, 'must be an event id (evt_…)'),
  object: z.literal('event'),
  type: z
    .string()
    .regex(/^[a-z][a-z0-9_.]{0,99}$/, 'must be an event type such as payment_intent.succeeded'),
  created: z.number().int().nonnegative(),
  livemode: z.boolean(),
  data: z.looseObject({
    object: z.looseObject({
      id: z.string().min(1).max(255),
      object: z.string().min(1).max(100),
    }),
  }),
});
/** {@link StripeWebhookEventSchema} as TypeScript. */
export type StripeWebhookEvent = z.infer<typeof StripeWebhookEventSchema>;

/** The acknowledgement of a webhook: sent only once the event is durably recorded. */
export const PaymentWebhookAckSchema = z.strictObject({ received: z.literal(true) });
/** {@link PaymentWebhookAckSchema} as TypeScript. */
export type PaymentWebhookAck = z.infer<typeof PaymentWebhookAckSchema>;

/**
 * Test payment methods of the development provider (Stripe's own test tokens, so a flow written
 * against one behaves the same against the other): success, a card decline, and a card that
 * requires 3-D Secure authentication.
 */
export const DEVELOPMENT_PAYMENT_METHODS = [
  'pm_card_visa',
  'pm_card_chargeDeclined',
  'pm_card_authenticationRequired',
] as const;
/** One of {@link DEVELOPMENT_PAYMENT_METHODS}. */
export type DevelopmentPaymentMethod = (typeof DEVELOPMENT_PAYMENT_METHODS)[number];

/** `POST /api/payments/development/intents/:id/confirm` (development provider only). */
export const DevelopmentPaymentConfirmSchema = z.strictObject({
  clientSecret: PaymentClientSecretSchema,
  paymentMethod: z.enum(DEVELOPMENT_PAYMENT_METHODS),
});
/** {@link DevelopmentPaymentConfirmSchema} as TypeScript. */
export type DevelopmentPaymentConfirm = z.infer<typeof DevelopmentPaymentConfirmSchema>;

/** `POST /api/payments/development/intents/:id/authenticate`: the simulated 3-D Secure step. */
export const DevelopmentPaymentAuthenticateSchema = z.strictObject({
  clientSecret: PaymentClientSecretSchema,
  outcome: z.enum(['approve', 'fail']),
});
/** {@link DevelopmentPaymentAuthenticateSchema} as TypeScript. */
export type DevelopmentPaymentAuthenticate = z.infer<typeof DevelopmentPaymentAuthenticateSchema>;

/** Path parameters of the development provider's routes. */
export const DevelopmentPaymentParamsSchema = z.strictObject({ id: PaymentIntentIdSchema });

/**
 * Where a development PaymentIntent stands after a step: the browser continues with
 * authentication (`requires_action`), shows the decline (`requires_payment_method` with a
 * `declineCode`), or waits for the order to turn paid (`succeeded`; the order changes only through
 * the payment event, as with Stripe).
 */
export const DevelopmentPaymentStateSchema = z.strictObject({
  paymentIntentId: PaymentIntentIdSchema,
  status: z.enum(PAYMENT_INTENT_STATUSES),
  declineCode: z.string().nullable(),
});
/** {@link DevelopmentPaymentStateSchema} as TypeScript. */
export type DevelopmentPaymentState = z.infer<typeof DevelopmentPaymentStateSchema>;
