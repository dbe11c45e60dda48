import { z } from 'zod';
import { ShippingMethodCodeSchema } from './cart';
import { AddressInputSchema, EmailSchema } from './identity';
import { CURRENCIES } from './money';
import { intParam } from './query-params';
import { PAYMENT_INTENT_STATUSES, PaymentClientSessionSchema } from './payments';

/**
 * Orders and checkout contracts. A checkout request names only what the shopper chooses (where to
 * ship, how, a contact email for guests and a client-generated idempotency key): every amount is
 * computed by the server from the database, so no price, total, currency or cart id is accepted.
 */

/** Every status an order can be in (see the transition table in the API's `orders/`). */
export const ORDER_STATUSES = [
  'pending_payment',
  'paid',
  'fulfilled',
  'shipped',
  'delivered',
  'cancelled',
  'refunded',
  'partially_refunded',
] as const;
/** One of {@link ORDER_STATUSES}. */
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The shipping address of an order (an address-book entry's fields, without its default flag). */
export const ShippingAddressSchema = AddressInputSchema.omit({ isDefault: true });
/** {@link ShippingAddressSchema} as TypeScript. */
export type ShippingAddress = z.infer<typeof ShippingAddressSchema>;

/**
 * A client-generated key identifying one checkout attempt (e.g. a UUID made when the checkout page
 * opens): submitting twice with the same key yields one order and one PaymentIntent.
 */
export const CheckoutKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be 16 to 64 characters of A-Z, a-z, 0-9, _ or -');

/** `POST /api/checkout`. Strict: amounts, currencies and cart ids are refused. */
export const CheckoutRequestSchema = z.strictObject({
  checkoutKey: CheckoutKeySchema,
  shippingAddress: ShippingAddressSchema,
  shippingMethod: ShippingMethodCodeSchema,
  email: EmailSchema.optional().describe(
    'Contact email; required for guests, ignored for customers.',
  ),
  locale: z.enum(['en', 'fr']).default('en').describe('Language of the order emails.'),
});
/** {@link CheckoutRequestSchema} as TypeScript (input side). */
export type CheckoutRequest = z.input<typeof CheckoutRequestSchema>;

/** The answer to a checkout: the order and what the browser needs to pay it with the provider. */
export const CheckoutResponseSchema = z.strictObject({
  orderId: z.uuid(),
  orderNumber: z.string(),
  status: z.enum(ORDER_STATUSES),
  payment: PaymentClientSessionSchema,
});
/** {@link CheckoutResponseSchema} as TypeScript. */
export type CheckoutResponse = z.infer<typeof CheckoutResponseSchema>;

/** A line of an order, as it was priced at checkout. */
export const OrderLineSchema = z.strictObject({
  variantId: z.uuid(),
  productName: z.string(),
  sku: z.string(),
  unitPrice: z.number().int().nonnegative(),
  quantity: z.number().int().positive(),
  lineTotal: z.number().int().nonnegative(),
  discount: z.number().int().nonnegative(),
  vatRateBasisPoints: z.number().int().nonnegative(),
  vatAmount: z.number().int().nonnegative(),
});

/** An order (amounts in integer minor units of `currency`). */
export const OrderSchema = z.strictObject({
  id: z.uuid(),
  number: z.string(),
  status: z.enum(ORDER_STATUSES),
  currency: z.enum(CURRENCIES),
  subtotal: z.number().int().nonnegative(),
  discount: z.number().int().nonnegative(),
  shipping: z.number().int().nonnegative(),
  vat: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  shippingMethod: z.string(),
  lines: z.array(OrderLineSchema),
  shippingAddress: ShippingAddressSchema,
  createdAt: z.iso.datetime({ offset: true }),
});
/** {@link OrderSchema} as TypeScript. */
export type Order = z.infer<typeof OrderSchema>;

/**
 * `GET /api/checkout/orders/:id`: an order the caller checked out (a customer's own, or one a guest
 * placed from the cart of this browser session), for the payment and confirmation pages; and,
 * while it waits for payment, what the browser pays it with.
 */
export const CheckoutOrderSchema = z.strictObject({
  order: OrderSchema,
  payment: PaymentClientSessionSchema.nullable().describe(
    'While the order awaits payment and its PaymentIntent can still be paid; null otherwise.',
  ),
  paymentStatus: z
    .enum(PAYMENT_INTENT_STATUSES)
    .nullable()
    .describe('Where its PaymentIntent stands while the order awaits payment; null otherwise.'),
});
/** {@link CheckoutOrderSchema} as TypeScript. */
export type CheckoutOrder = z.infer<typeof CheckoutOrderSchema>;

/** An order in a list: no lines, no personal data. */
export const OrderSummarySchema = z.strictObject({
  id: z.uuid(),
  number: z.string(),
  status: z.enum(ORDER_STATUSES),
  currency: z.enum(CURRENCIES),
  total: z.number().int().nonnegative(),
  itemCount: z.number().int().nonnegative(),
  createdAt: z.iso.datetime({ offset: true }),
});
/** {@link OrderSummarySchema} as TypeScript. */
export type OrderSummary = z.infer<typeof OrderSummarySchema>;

/** A list of orders, newest first. */
export const OrderListSchema = z.strictObject({ orders: z.array(OrderSummarySchema) });
/** {@link OrderListSchema} as TypeScript. */
export type OrderList = z.infer<typeof OrderListSchema>;

/** Path parameters naming an order. */
export const OrderIdParamsSchema = z.strictObject({ id: z.uuid() });

/** `GET /api/account/orders`: the newest `limit` orders of the caller. */
export const ListOwnOrdersQuerySchema = z.strictObject({
  limit: intParam(1, 100).optional().describe('How many orders, newest first (default 50).'),
});

/** `GET /api/admin/orders`: the newest `limit` orders, optionally of one status. */
export const ListOrdersQuerySchema = z.strictObject({
  status: z.enum(ORDER_STATUSES).optional(),
  limit: intParam(1, 100).optional().describe('How many orders, newest first (default 50).'),
});

/** `POST /api/admin/orders/:id/refunds`: how much to give back, under a client-generated key. */
export const RefundRequestSchema = z.strictObject({
  amount: z.number().int().min(1).max(99_999_999).describe('Integer minor units.'),
  refundKey: CheckoutKeySchema.describe(
    'Client-generated: a repeat with the same key is one refund.',
  ),
});
/** {@link RefundRequestSchema} as TypeScript. */
export type RefundRequest = z.infer<typeof RefundRequestSchema>;

/** A refund and where it left the order. */
export const RefundSchema = z.strictObject({
  id: z.uuid(),
  amount: z.number().int().positive(),
  currency: z.enum(CURRENCIES),
  status: z.enum(['pending', 'succeeded', 'failed']),
  orderStatus: z.enum(ORDER_STATUSES),
});
/** {@link RefundSchema} as TypeScript. */
export type Refund = z.infer<typeof RefundSchema>;

/** The statuses staff move a paid order through (`POST /api/admin/orders/:id/status`). */
export const FULFILMENT_STATUSES = ['fulfilled', 'shipped', 'delivered'] as const;

/** `POST /api/admin/orders/:id/status`: the next fulfilment status. */
export const OrderStatusChangeSchema = z.strictObject({ status: z.enum(FULFILMENT_STATUSES) });
/** {@link OrderStatusChangeSchema} as TypeScript. */
export type OrderStatusChange = z.infer<typeof OrderStatusChangeSchema>;

/** An order's status after a change. */
export const OrderStatusViewSchema = z.strictObject({
  id: z.uuid(),
  status: z.enum(ORDER_STATUSES),
});
/** {@link OrderStatusViewSchema} as TypeScript. */
export type OrderStatusView = z.infer<typeof OrderStatusViewSchema>;

/** `POST /api/orders/guest-access`: the token of a guest's emailed order link. */
export const GuestOrderAccessSchema = z.strictObject({
  token: z.string().regex(/^[A-Za-z0-9_-]{43,256}$/, 'must be a base64url token'),
});
/** {@link GuestOrderAccessSchema} as TypeScript. */
export type GuestOrderAccess = z.infer<typeof GuestOrderAccessSchema>;
