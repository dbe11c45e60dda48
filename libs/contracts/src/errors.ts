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

/**
 * Why a field was refused, machine-readable, so a client can say it in its own language; `limit`
 * carries the bound of the length and size rules. Adding a rule is backwards compatible.
 */
export const FIELD_RULES = [
  'required',
  'too_short',
  'too_long',
  'too_small',
  'too_big',
  'too_few',
  'too_many',
  'invalid_email',
  'invalid_format',
  'single_line',
  'invalid_postal_code',
  'invalid_phone',
  'invalid_code',
  'invalid_coupon_code',
  'invalid_choice',
  'invalid_type',
  'unknown_field',
  'invalid',
  'password_too_short',
  'password_too_long',
  'password_common',
  'password_context',
  'password_breached',
] as const;

/** One of {@link FIELD_RULES}. */
export type FieldRule = (typeof FIELD_RULES)[number];

/** A field-level validation problem, returned with `VALIDATION_FAILED` (and `WEAK_PASSWORD`). */
export const FieldIssueSchema = z.strictObject({
  path: z.string().describe('Dotted path of the offending field, e.g. `minPrice` or `facet.1`.'),
  rule: z.enum(FIELD_RULES).describe('Why the field was refused, for a localised message.'),
  limit: z
    .number()
    .optional()
    .describe('The bound of a length or size rule (characters, value or items).'),
  message: z.string().describe('The same in English.'),
});

/** The rule a `.regex()` check of a contract reports, by its pattern (`String(regex)`). */
const PATTERN_RULES = new Map<string, FieldRule>();

/**
 * Names the rule a pattern check stands for, so a refused field says more than "not in the
 * expected format": `.regex(patternRule(/^…$/, 'invalid_postal_code'), 'must be a postal code')`.
 */
export function patternRule(pattern: RegExp, rule: FieldRule): RegExp {
  PATTERN_RULES.set(String(pattern), rule);
  return pattern;
}

/** The rule registered for a pattern (zod reports it as `String(regex)`), if any. */
export function ruleOfPattern(pattern: string): FieldRule | undefined {
  return PATTERN_RULES.get(pattern);
}

/** A field issue as TypeScript. */
export type FieldIssue = z.infer<typeof FieldIssueSchema>;

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
