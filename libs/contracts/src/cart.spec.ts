import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AddCartLineRequestSchema,
  ApplyCouponRequestSchema,
  CART_QUANTITY_CEILING,
  SelectShippingMethodRequestSchema,
  UpdateCartLineRequestSchema,
} from './cart';

const variantId = '6f1c2b8e-3d4a-4b5c-9d6e-7f8a9b0c1d2e';

describe('cart requests', () => {
  it('accept a variant and a whole quantity, nothing else', () => {
    expect(AddCartLineRequestSchema.parse({ variantId, quantity: 3 })).toEqual({
      variantId,
      quantity: 3,
    });
    for (const extra of [
      'price',
      'unitPrice',
      'total',
      'lineTotal',
      'currency',
      'discount',
      'cartId',
      'vat',
    ]) {
      expect(
        AddCartLineRequestSchema.safeParse({ variantId, quantity: 1, [extra]: 1 }).success,
        extra,
      ).toBe(false);
      expect(UpdateCartLineRequestSchema.safeParse({ quantity: 1, [extra]: 1 }).success).toBe(
        false,
      );
      expect(ApplyCouponRequestSchema.safeParse({ code: 'ABCD-EFGH', [extra]: 1 }).success).toBe(
        false,
      );
      expect(
        SelectShippingMethodRequestSchema.safeParse({ code: 'standard', [extra]: 1 }).success,
      ).toBe(false);
    }
  });

  it('refuse every quantity that is not an integer from 1 to the ceiling', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ max: 0 }),
          fc.integer({ min: CART_QUANTITY_CEILING + 1 }),
          fc.double().filter((n) => !Number.isInteger(n)),
          fc.constantFrom(Number.NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER + 2),
          fc.string(),
          fc.constant(null),
          fc.boolean(),
        ),
        (quantity) => {
          expect(UpdateCartLineRequestSchema.safeParse({ quantity }).success).toBe(false);
          expect(AddCartLineRequestSchema.safeParse({ variantId, quantity }).success).toBe(false);
        },
      ),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: CART_QUANTITY_CEILING }), (quantity) => {
        expect(UpdateCartLineRequestSchema.parse({ quantity })).toEqual({ quantity });
      }),
    );
  });

  it('take coupon codes of letters, digits, spaces and dashes only', () => {
    expect(ApplyCouponRequestSchema.parse({ code: ' ab12-CD34 ' })).toEqual({ code: 'ab12-CD34' });
    for (const code of ["' OR 1=1 --", 'x'.repeat(65), 'abc', 'ab<script>', 'ÀBCD-1234']) {
      expect(ApplyCouponRequestSchema.safeParse({ code }).success, code).toBe(false);
    }
  });
});
