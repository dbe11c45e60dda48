import { z } from 'zod';

/**
 * Passkey (WebAuthn) contracts: the options the API hands to `navigator.credentials.create()` /
 * `.get()`, the credentials the browser returns (the JSON form of `PublicKeyCredential`, as
 * `PublicKeyCredential.toJSON()` or `@simplewebauthn/browser` produce it), and the passkeys of an
 * account. Binary values travel as base64url without padding. Every bound below only caps what
 * the API will parse; the cryptographic checks are the API's.
 */

/** base64url without padding, at most `max` characters. */
const base64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url');

/** A credential id (at most 1023 bytes by the WebAuthn spec, so at most 1364 characters). */
export const PasskeyCredentialIdSchema = base64url(1364);

/** How the browser can reach an authenticator. Unknown future values are accepted and dropped. */
export const PASSKEY_TRANSPORTS = [
  'ble',
  'cable',
  'hybrid',
  'internal',
  'nfc',
  'smart-card',
  'usb',
] as const;
/** One of {@link PASSKEY_TRANSPORTS}. */
export type PasskeyTransport = (typeof PASSKEY_TRANSPORTS)[number];

const TransportsSchema = z
  .array(
    z
      .string()
      .max(32)
      .regex(/^[a-z-]+$/),
  )
  .max(10);

const CredentialDescriptorSchema = z.strictObject({
  id: PasskeyCredentialIdSchema,
  type: z.literal('public-key'),
  transports: z.array(z.enum(PASSKEY_TRANSPORTS)).optional(),
});

const UserVerificationSchema = z.enum(['required', 'preferred', 'discouraged']);

/** What the browser passes to `navigator.credentials.create({ publicKey })`. */
export const PasskeyCreationOptionsSchema = z.strictObject({
  challenge: base64url(128).describe('Single use, bound to this session, valid a few minutes.'),
  rp: z.strictObject({ name: z.string(), id: z.string() }),
  user: z.strictObject({
    id: base64url(128).describe('The account’s opaque WebAuthn user handle (not its id).'),
    name: z.string(),
    displayName: z.string(),
  }),
  pubKeyCredParams: z.array(
    z.strictObject({ alg: z.number().int(), type: z.literal('public-key') }),
  ),
  timeout: z.number().int().positive(),
  attestation: z.enum(['none', 'indirect', 'direct', 'enterprise']),
  excludeCredentials: z.array(CredentialDescriptorSchema),
  authenticatorSelection: z.strictObject({
    residentKey: z.enum(['required', 'preferred', 'discouraged']),
    requireResidentKey: z.boolean(),
    userVerification: UserVerificationSchema,
  }),
  extensions: z.strictObject({ credProps: z.boolean() }),
});
export type PasskeyCreationOptions = z.infer<typeof PasskeyCreationOptionsSchema>;

/** What the browser passes to `navigator.credentials.get({ publicKey })`. */
export const PasskeyRequestOptionsSchema = z.strictObject({
  challenge: base64url(128).describe('Single use, bound to this session, valid a few minutes.'),
  rpId: z.string(),
  allowCredentials: z
    .array(CredentialDescriptorSchema)
    .describe(
      'Empty for passwordless sign-in: the authenticator offers its discoverable passkeys.',
    ),
  timeout: z.number().int().positive(),
  userVerification: UserVerificationSchema,
});
export type PasskeyRequestOptions = z.infer<typeof PasskeyRequestOptionsSchema>;

/** Registration options for a signed-in account. */
export const PasskeyRegistrationOptionsResponseSchema = z.strictObject({
  publicKey: PasskeyCreationOptionsSchema,
});
export type PasskeyRegistrationOptionsResponse = z.infer<
  typeof PasskeyRegistrationOptionsResponseSchema
>;

/** Authentication options (second factor, step-up, passwordless). */
export const PasskeyAuthenticationOptionsResponseSchema = z.strictObject({
  publicKey: PasskeyRequestOptionsSchema,
  csrfToken: z
    .string()
    .describe('The session’s CSRF token (passwordless sign-in may start a session).'),
});
export type PasskeyAuthenticationOptionsResponse = z.infer<
  typeof PasskeyAuthenticationOptionsResponseSchema
>;

const ClientExtensionResultsSchema = z
  .record(z.string().regex(/^[A-Za-z0-9]{1,32}$/), z.unknown())
  .refine((results) => Object.keys(results).length <= 16, 'too many extension results');

/** The browser's answer to `navigator.credentials.create()`, as JSON. */
export const PasskeyRegistrationCredentialSchema = z.strictObject({
  id: PasskeyCredentialIdSchema,
  rawId: PasskeyCredentialIdSchema,
  type: z.literal('public-key'),
  response: z.strictObject({
    clientDataJSON: base64url(8192),
    attestationObject: base64url(32768),
    authenticatorData: base64url(16384).optional(),
    transports: TransportsSchema.optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url(8192).optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: ClientExtensionResultsSchema,
});
export type PasskeyRegistrationCredential = z.infer<typeof PasskeyRegistrationCredentialSchema>;

/** The browser's answer to `navigator.credentials.get()`, as JSON. */
export const PasskeyAssertionCredentialSchema = z.strictObject({
  id: PasskeyCredentialIdSchema,
  rawId: PasskeyCredentialIdSchema,
  type: z.literal('public-key'),
  response: z.strictObject({
    clientDataJSON: base64url(8192),
    authenticatorData: base64url(16384),
    signature: base64url(8192),
    userHandle: base64url(128).nullish(),
    attestationObject: base64url(32768).optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: ClientExtensionResultsSchema,
});
export type PasskeyAssertionCredential = z.infer<typeof PasskeyAssertionCredentialSchema>;

/** A name the account holder gives a passkey ("Work laptop"): no control characters. */
export const PasskeyNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^\p{Cc}\p{Cf}]+$/u, 'must not contain control characters');

/** Completes a registration started with the registration options. */
export const PasskeyRegistrationRequestSchema = z.strictObject({
  name: PasskeyNameSchema.optional(),
  credential: PasskeyRegistrationCredentialSchema,
});
export type PasskeyRegistrationRequest = z.infer<typeof PasskeyRegistrationRequestSchema>;

/** Completes a passkey ceremony (second factor, step-up, passwordless sign-in). */
export const PasskeyAssertionRequestSchema = z.strictObject({
  credential: PasskeyAssertionCredentialSchema,
});
export type PasskeyAssertionRequest = z.infer<typeof PasskeyAssertionRequestSchema>;

export const PasskeyRenameRequestSchema = z.strictObject({ name: PasskeyNameSchema });
export type PasskeyRenameRequest = z.infer<typeof PasskeyRenameRequestSchema>;

/** A passkey of the caller's account, by its id in the API (not the credential id). */
export const PasskeyIdParamsSchema = z.strictObject({ id: z.uuid() });
export type PasskeyIdParams = z.infer<typeof PasskeyIdParamsSchema>;

/** One passkey, as its owner sees it. Never the public key or the credential id. */
export const PasskeySummarySchema = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  synced: z.boolean().describe('Backed up to a passkey provider (usable on several devices).'),
  transports: z.array(z.enum(PASSKEY_TRANSPORTS)),
});
export type PasskeySummary = z.infer<typeof PasskeySummarySchema>;

export const PasskeyListSchema = z.strictObject({ passkeys: z.array(PasskeySummarySchema) });
export type PasskeyList = z.infer<typeof PasskeyListSchema>;

/** A passkey was added. The first second factor of an account also brings recovery codes. */
export const PasskeyEnrolledSchema = z.strictObject({
  passkey: PasskeySummarySchema,
  recoveryCodes: z
    .array(z.string())
    .optional()
    .describe('Only when this is the account’s first second factor; shown once.'),
  csrfToken: z.string(),
});
export type PasskeyEnrolled = z.infer<typeof PasskeyEnrolledSchema>;
