import { z } from 'zod';
import { patternRule } from './errors';

/**
 * Identity contracts: registration, sign-in, MFA, password and email changes, sessions and staff
 * management. Passwords are strings compared exactly as typed (no trimming, no composition rules);
 * the length policy itself is enforced by the API (customers ≥ 12, staff ≥ 15 code points).
 */

/** An email address as typed; the API trims it and compares case-insensitively. */
export const EmailSchema = z.string().trim().max(254).pipe(z.email());
/** A password as typed. The upper bound only caps hashing cost; the API applies the policy. */
export const PasswordSchema = z.string().min(1).max(256);
/** A token from an emailed link (base64url of ≥ 32 random bytes). */
export const EmailTokenSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43,128}$/, 'must be a token from an emailed link');
/** A one-time code: 6 digits (TOTP) or a recovery code (letters, digits and dashes). */
export const MfaCodeSchema = z
  .string()
  .trim()
  .regex(
    patternRule(/^(\d{6}|[A-Za-z0-9-]{10,40})$/, 'invalid_code'),
    'must be a 6-digit code or a recovery code',
  );

/**
 * The language of an account's emails (verification, password reset, security notices…). An
 * order's emails use the language the order was placed in instead.
 */
export const AccountLocaleSchema = z.enum(['en', 'fr']);
export type AccountLocale = z.infer<typeof AccountLocaleSchema>;

export const RegisterRequestSchema = z.strictObject({
  email: EmailSchema,
  password: PasswordSchema,
  displayName: z.string().trim().min(1).max(100).optional(),
  locale: AccountLocaleSchema.default('en').describe(
    "Language of the account's emails: the language of the page the customer signs up on.",
  ),
});
export type RegisterRequest = z.infer<typeof RegisterRequestSchema>;

/** The same answer whether or not the address already had an account (no enumeration). */
export const AcceptedResponseSchema = z.strictObject({
  status: z.literal('accepted'),
  message: z.string(),
});
export type AcceptedResponse = z.infer<typeof AcceptedResponseSchema>;

export const TokenRequestSchema = z.strictObject({ token: EmailTokenSchema });
export type TokenRequest = z.infer<typeof TokenRequestSchema>;

export const LoginRequestSchema = z.strictObject({
  email: EmailSchema,
  password: PasswordSchema,
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

/**
 * Where a sign-in stands. `mfa-required`: send a code to `/api/auth/mfa`, or use a passkey
 * (`/api/auth/mfa/passkey/options`, then `/api/auth/mfa/passkey`).
 */
export const AuthStatusSchema = z.enum(['authenticated', 'mfa-required', 'mfa-enrolment-required']);

export const LoginResponseSchema = z.strictObject({
  status: AuthStatusSchema,
  csrfToken: z.string().describe('Send it back in `X-CSRF-Token` on every state change.'),
  secondFactors: z
    .array(z.enum(['totp', 'passkey', 'recovery-code']))
    .optional()
    .describe('With `mfa-required`: the factors that can complete this sign-in.'),
});
export type LoginResponse = z.infer<typeof LoginResponseSchema>;

export const MfaVerifyRequestSchema = z.strictObject({
  method: z.enum(['totp', 'recovery-code']),
  code: MfaCodeSchema,
});
export type MfaVerifyRequest = z.infer<typeof MfaVerifyRequestSchema>;

export const SessionStateSchema = z.strictObject({
  authenticated: z.boolean(),
  status: AuthStatusSchema.nullable(),
  kind: z.enum(['customer', 'staff']).nullable(),
  csrfToken: z.string().nullable(),
});
export type SessionState = z.infer<typeof SessionStateSchema>;

export const ReauthenticateRequestSchema = z.strictObject({
  password: PasswordSchema.optional(),
  code: MfaCodeSchema.optional(),
});
export type ReauthenticateRequest = z.infer<typeof ReauthenticateRequestSchema>;

export const PasswordResetRequestSchema = z.strictObject({ email: EmailSchema });
export type PasswordResetRequest = z.infer<typeof PasswordResetRequestSchema>;

export const PasswordResetCompleteSchema = z.strictObject({
  token: EmailTokenSchema,
  password: PasswordSchema,
});
export type PasswordResetComplete = z.infer<typeof PasswordResetCompleteSchema>;

export const ChangePasswordRequestSchema = z.strictObject({
  currentPassword: PasswordSchema,
  newPassword: PasswordSchema,
  signOutOtherSessions: z.boolean().default(true),
});
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequestSchema>;

export const ChangeEmailRequestSchema = z.strictObject({ newEmail: EmailSchema });
export type ChangeEmailRequest = z.infer<typeof ChangeEmailRequestSchema>;

export const ProfileSchema = z.strictObject({
  id: z.uuid(),
  kind: z.enum(['customer', 'staff']),
  email: z.string(),
  displayName: z.string().nullable(),
  locale: AccountLocaleSchema.describe("Language of the account's emails."),
  roles: z.array(z.string()),
  mfa: z.strictObject({
    totp: z.boolean(),
    passkeys: z.number().int().min(0),
    recoveryCodesRemaining: z.number().int().min(0),
  }),
});
export type Profile = z.infer<typeof ProfileSchema>;

/** Changes the fields sent (at least one); a field left out keeps its value. */
export const UpdateProfileRequestSchema = z
  .strictObject({
    displayName: z.string().trim().min(1).max(100).nullable().optional(),
    locale: AccountLocaleSchema.optional().describe("Language of the account's emails."),
  })
  .refine((body) => body.displayName !== undefined || body.locale !== undefined, {
    message: 'send displayName, locale or both',
  });
export type UpdateProfileRequest = z.infer<typeof UpdateProfileRequestSchema>;

export const SessionSummarySchema = z.strictObject({
  id: z.string().describe('A handle naming the session (not its secret id).'),
  current: z.boolean(),
  client: z.string(),
  createdAt: z.iso.datetime(),
  lastSeenAt: z.iso.datetime(),
});
export const SessionListSchema = z.strictObject({ sessions: z.array(SessionSummarySchema) });
export type SessionList = z.infer<typeof SessionListSchema>;

export const SessionHandleParamsSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{16}$/, 'must be a session handle'),
});
export type SessionHandleParams = z.infer<typeof SessionHandleParamsSchema>;

export const RevokedSchema = z.strictObject({ revoked: z.number().int().min(0) });
export type Revoked = z.infer<typeof RevokedSchema>;

export const TotpEnrolmentSchema = z.strictObject({
  otpauthUri: z.string(),
  secret: z.string().describe('Base32, for typing into an authenticator app by hand.'),
});
export type TotpEnrolment = z.infer<typeof TotpEnrolmentSchema>;

export const TotpConfirmRequestSchema = z.strictObject({
  code: z.string().regex(patternRule(/^\d{6}$/, 'invalid_code'), 'must be a 6-digit code'),
});
export type TotpConfirmRequest = z.infer<typeof TotpConfirmRequestSchema>;

export const RecoveryCodesSchema = z.strictObject({
  recoveryCodes: z.array(z.string()).describe('Shown once; store them somewhere safe.'),
  csrfToken: z.string(),
});
export type RecoveryCodes = z.infer<typeof RecoveryCodesSchema>;

export const STAFF_ROLE_NAMES = [
  'catalogue-editor',
  'order-manager',
  'support',
  'administrator',
] as const;

export const CreateStaffRequestSchema = z.strictObject({
  email: EmailSchema,
  roles: z.array(z.enum(STAFF_ROLE_NAMES)).min(1).max(4),
});
export type CreateStaffRequest = z.infer<typeof CreateStaffRequestSchema>;

export const SetRolesRequestSchema = z.strictObject({
  roles: z.array(z.enum(STAFF_ROLE_NAMES)).min(1).max(4),
});
export type SetRolesRequest = z.infer<typeof SetRolesRequestSchema>;

export const UserIdParamsSchema = z.strictObject({ id: z.uuid() });
export type UserIdParams = z.infer<typeof UserIdParamsSchema>;

export const StaffMemberSchema = z.strictObject({
  id: z.uuid(),
  roles: z.array(z.string()),
  status: z.enum(['active', 'disabled']),
});
export type StaffMember = z.infer<typeof StaffMemberSchema>;

/** Countries the shop ships to (EU member states), as ISO 3166-1 alpha-2 codes. */
export const SHIPPING_COUNTRIES = [
  'AT',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
] as const;

const line = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(patternRule(/^[^\p{Cc}]*$/u, 'single_line'), 'must be a single line of text');

/** A postal address as a customer enters it. */
export const AddressInputSchema = z.strictObject({
  fullName: line(100),
  line1: line(200),
  line2: line(200).nullable().optional(),
  postalCode: z
    .string()
    .trim()
    .regex(
      patternRule(/^[A-Za-z0-9][A-Za-z0-9 -]{1,11}$/, 'invalid_postal_code'),
      'must be a postal code',
    ),
  city: line(100),
  country: z.enum(SHIPPING_COUNTRIES),
  phone: z
    .string()
    .trim()
    .regex(patternRule(/^\+?[0-9][0-9 ().-]{5,19}$/, 'invalid_phone'), 'must be a phone number')
    .nullable()
    .optional(),
  isDefault: z.boolean().default(false),
});
export type AddressInput = z.infer<typeof AddressInputSchema>;

/** A saved address of the caller's address book. */
export const AddressSchema = z.strictObject({
  id: z.uuid(),
  fullName: z.string(),
  line1: z.string(),
  line2: z.string().nullable(),
  postalCode: z.string(),
  city: z.string(),
  country: z.enum(SHIPPING_COUNTRIES),
  phone: z.string().nullable(),
  isDefault: z.boolean(),
});
export type Address = z.infer<typeof AddressSchema>;

export const AddressListSchema = z.strictObject({ addresses: z.array(AddressSchema) });
export type AddressList = z.infer<typeof AddressListSchema>;

export const AddressIdParamsSchema = z.strictObject({ id: z.uuid() });
export type AddressIdParams = z.infer<typeof AddressIdParamsSchema>;
