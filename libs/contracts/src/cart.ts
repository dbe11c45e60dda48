import { z } from 'zod';
import { patternRule } from './errors';
import { MoneySchema } from './money';

/**
 * Cart contracts. Requests name what the shopper wants (a variant and a quantity, a coupon code, a
 * shipping method) and nothing else: prices, totals, currencies and cart ids are never accepted
 * (every request object is strict, so such a field is a 400). The API computes every amount from
 * the database and answers with the whole priced cart.
 */

/**
 * Largest quantity any contract accepts for one line. The shop's own maximum
 * (`CART_MAX_QUANTITY`, default 10) is at most this and is enforced by the API.
 */
export const CART_QUANTITY_CEILING = 999;

/** A quantity: a JSON integer from 1 to {@link CART_QUANTITY_CEILING}. Strings are refused. */
export const CartQuantitySchema = z
  .number()
  .int()
  .min(1)
  .max(CART_QUANTITY_CEILING)
  .describe('Whole units, 1 to the shop maximum (`CART_MAX_QUANTITY`, default 10).');

/** Body of `POST /api/cart/lines`: adds units of a variant (added to a line already holding it). */
export const AddCartLineRequestSchema = z.strictObject({
  variantId: z.uuid(),
  quantity: CartQuantitySchema,
});
export type AddCartLineRequest = z.infer<typeof AddCartLineRequestSchema>;

/** Body of `PATCH /api/cart/lines/:id`: the line's new quantity. */
export const UpdateCartLineRequestSchema = z.strictObject({ quantity: CartQuantitySchema });
export type UpdateCartLineRequest = z.infer<typeof UpdateCartLineRequestSchema>;

/** Path parameters naming one line of the caller's cart. */
export const CartLineIdParamsSchema = z.strictObject({ id: z.uuid() });
export type CartLineIdParams = z.infer<typeof CartLineIdParamsSchema>;

/**
 * A coupon code as typed: letters, digits, spaces and dashes (the API ignores case, spaces and
 * dashes, and reads O as 0 and I/L as 1).
 */
export const CouponCodeSchema = z
  .string()
  .trim()
  .min(4)
  .max(64)
  .regex(
    patternRule(/^[A-Za-z0-9 -]+$/, 'invalid_coupon_code'),
    'must be letters, digits, spaces or dashes',
  );

/** Body of `POST /api/cart/coupon`. */
export const ApplyCouponRequestSchema = z.strictObject({ code: CouponCodeSchema });
export type ApplyCouponRequest = z.infer<typeof ApplyCouponRequestSchema>;

/** A shipping method code, e.g. `standard`. */
export const ShippingMethodCodeSchema = z
  .string()
  .regex(/^[a-z0-9-]{1,32}$/, 'must be a shipping method code');

/** Body of `PUT /api/cart/shipping-method`. */
export const SelectShippingMethodRequestSchema = z.strictObject({
  code: ShippingMethodCodeSchema,
});
export type SelectShippingMethodRequest = z.infer<typeof SelectShippingMethodRequestSchema>;

/**
 * Whether a line can be bought as it stands: `ok`; `unavailable` (the variant or its product was
 * withdrawn, or is out of stock); `insufficient-stock` (fewer units left than the quantity).
 * Lines that are not `ok` are left out of the totals and block checkout until changed.
 */
export const CART_LINE_STATUSES = ['ok', 'unavailable', 'insufficient-stock'] as const;
export type CartLineStatus = (typeof CART_LINE_STATUSES)[number];

/** One line of the priced cart. */
export const CartLineSchema = z.strictObject({
  id: z.uuid().describe('Names the line in `PATCH`/`DELETE /api/cart/lines/:id`.'),
  variantId: z.uuid(),
  productSlug: z.string(),
  productName: z.string(),
  sku: z.string(),
  options: z.record(z.string(), z.string()),
  quantity: z.number().int().min(1),
  unitPrice: MoneySchema.describe('VAT-inclusive unit price, from the catalogue now.'),
  lineTotal: MoneySchema.describe('unitPrice × quantity (before any discount).'),
  vatRateBasisPoints: z.number().int().min(0).max(10_000),
  status: z.enum(CART_LINE_STATUSES),
});
export type CartLine = z.infer<typeof CartLineSchema>;

/** VAT included in the total at one rate. */
export const VatAmountSchema = z.strictObject({
  rateBasisPoints: z.number().int().min(0).max(10_000),
  amount: MoneySchema,
});

/**
 * The coupon attached to the cart. `applied`: it discounts this cart now. `minimum-not-reached`:
 * the goods subtotal is below the coupon's minimum. `not-applicable`: it no longer applies
 * (expired, withdrawn or used up); remove it or it is ignored.
 */
export const CartCouponSchema = z.strictObject({
  codeHint: z.string().describe('The last characters of the code, e.g. `…7QK2`.'),
  status: z.enum(['applied', 'minimum-not-reached', 'not-applicable']),
  minimumSubtotal: MoneySchema,
});

/** A shipping method the shopper can choose. */
export const ShippingMethodSchema = z.strictObject({
  code: ShippingMethodCodeSchema,
  name: z.string(),
  fee: MoneySchema.describe('VAT-inclusive.'),
});
export type ShippingMethod = z.infer<typeof ShippingMethodSchema>;

/** The caller's cart, priced by the server (every cart route answers with it). */
export const CartSchema = z.strictObject({
  lines: z.array(CartLineSchema),
  itemCount: z.number().int().nonnegative().describe('Units in `ok` lines.'),
  subtotal: MoneySchema.describe('Sum of the `ok` lines, VAT included, before the discount.'),
  discount: MoneySchema.describe('Coupon discount on the goods (never more than the subtotal).'),
  shipping: MoneySchema.nullable().describe('Fee of the chosen shipping method; null if none.'),
  total: MoneySchema.describe('subtotal − discount + shipping.'),
  vat: z
    .array(VatAmountSchema)
    .describe('VAT included in the total, per rate (goods after discount, and shipping).'),
  coupon: CartCouponSchema.nullable(),
  shippingMethod: ShippingMethodCodeSchema.nullable(),
  shippingMethods: z.array(ShippingMethodSchema).describe('The methods that can be chosen.'),
  checkoutReady: z
    .boolean()
    .describe('At least one line and every line `ok` (checkout prices the cart again).'),
  csrfToken: z
    .string()
    .nullable()
    .describe(
      'The session’s anti-CSRF token (a first cart change may have started the session): send it ' +
        'in `X-CSRF-Token` on the next state change. Null when there is no session yet.',
    ),
});
export type Cart = z.infer<typeof CartSchema>;
