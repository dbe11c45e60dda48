import { z } from 'zod';

/**
 * Stable, machine-readable error codes. Clients branch on these, never on messages.
 * Adding a code is backwards compatible; renaming one is a breaking change of the API.
 */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'INVALID_CURSOR',
  'MALFORMED_BODY',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'PRODUCT_NOT_FOUND',
  'PAYMENT_PROVIDER_UNAVAILABLE',
  'PAYMENT_DECLINED',
  'PAYMENT_NOT_FOUND',
  'PAYMENT_STATE_CONFLICT',
  'PAYMENT_PROVIDER_ERROR',
  'WEBHOOK_SIGNATURE_INVALID',
  'INVALID_CREDENTIALS',
  'EMAIL_NOT_VERIFIED',
  'MFA_REQUIRED',
  'MFA_ENROLMENT_REQUIRED',
  'INVALID_MFA_CODE',
  'PASSKEY_REJECTED',
  'REAUTHENTICATION_REQUIRED',
  'CSRF_REJECTED',
  'INVALID_TOKEN',
  'WEAK_PASSWORD',
  'CONFLICT',
  'CART_ITEM_UNAVAILABLE',
  'CART_LIMIT_EXCEEDED',
  'COUPON_NOT_APPLICABLE',
  'CHECKOUT_NOT_READY',
  'ORDER_STATE_CONFLICT',
  'REFUND_NOT_ALLOWED',
  'METHOD_NOT_ALLOWED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'NOT_READY',
  'INTERNAL_ERROR',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A field-level validation problem, returned with `VALIDATION_FAILED`. */
export const FieldIssueSchema = z.strictObject({
  path: z.string().describe('Dotted path of the offending field, e.g. `minPrice` or `facet.1`.'),
  message: z.string(),
});

/** The only shape an error ever leaves the API in: `{"error":{"code","message","requestId"}}`. */
export const ErrorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.enum(ERROR_CODES),
    message: z.string().describe('Human-readable, generic; never an internal detail.'),
    requestId: z
      .string()
      .describe('Correlates with the server logs (also sent as `X-Request-Id`).'),
    issues: z.array(FieldIssueSchema).optional(),
  }),
});

/** The error envelope as TypeScript. */
export type ErrorBody = z.infer<typeof ErrorBodySchema>;
