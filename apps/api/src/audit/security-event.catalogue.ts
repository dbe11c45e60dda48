import { AUDIT_ID_PATTERN, ORDER_STATUSES, type AuditAction } from '@storefront/contracts';
import { z } from 'zod';
import {
  CSP_BLOCKED_KINDS,
  CSP_DIRECTIVES,
  REPORTED_PATH_PATTERN,
  REPORTED_URL_PATTERN,
} from '../csp-reports/csp-directives';

/*
 * Field builders for event details. They are the only building blocks of the schemas below, so a
 * `details` object can hold enums, booleans, bounded integers and identifiers — never free text,
 * where an email address, a name or a password could slip in. A unit test walks every schema and
 * fails on any string field that accepts such values.
 */

/** An identifier (uuid, role, permission, route name, key id): no spaces, no `@`, ≤ 64 characters. */
const id = () => z.string().regex(AUDIT_ID_PATTERN);
/** A short list of identifiers (roles, permissions). */
const ids = (max: number) => z.array(id()).max(max);
/** A bounded non-negative integer (counts, durations, amounts in minor units). */
const count = (max: number) => z.number().int().min(0).max(max);
/** A URL reduced to scheme, host, port and an unreserved-character path (see the pattern). */
const reportedUrl = () => z.string().regex(REPORTED_URL_PATTERN);
/** A page path of unreserved characters, no query or fragment, ≤ 128 characters. */
const reportedPath = () => z.string().regex(REPORTED_PATH_PATTERN);
/** A SHA-256 digest in hex: groups identical values without recording them. */
const sha256 = () => z.string().regex(/^[0-9a-f]{64}$/);

const LOGIN_METHODS = z.enum(['password', 'passkey']);
const MFA_FACTORS = z.enum(['totp', 'webauthn', 'recovery_code']);
const ACCOUNT_KINDS = z.enum(['customer', 'staff']);

/** What one catalogue entry says about an event. */
export interface SecurityEventDefinition {
  /** Also appended to the hash-chained audit trail (not only written as a log line). */
  audit: boolean;
  /** Whether the event reports something that worked or something refused/failed. */
  outcome: 'success' | 'failure';
  /** What it means, for the people reading the logs. */
  description: string;
  /** The only shape its `details` may take (strict: unknown keys are refused). */
  details: z.ZodObject;
  /** Valid details, used by the catalogue's tests and as documentation. */
  example: Record<string, unknown>;
}

/**
 * Every security event the API reports, with stable dotted names. Events with `audit: true` are
 * also rows of the audit trail (their names are the `AUDIT_ACTIONS` of the contracts, checked at
 * compile time below). Events an attacker can produce at will (failed logins, denials, CSRF
 * refusals) are log lines only, so a flood cannot grow the audit table or contend for its chain.
 */
export const SECURITY_EVENTS = {
  'auth.login.succeeded': {
    audit: true,
    outcome: 'success',
    description: 'An account signed in (target: the user).',
    details: z.strictObject({ method: LOGIN_METHODS, mfa: z.boolean() }),
    example: { method: 'password', mfa: true },
  },
  'auth.login.failed': {
    audit: false,
    outcome: 'failure',
    description: 'A sign-in was refused. Target only when the account exists.',
    details: z.strictObject({
      method: LOGIN_METHODS,
      reason: z.enum(['invalid_credentials', 'locked', 'disabled', 'unverified', 'throttled']),
    }),
    example: { method: 'password', reason: 'invalid_credentials' },
  },
  'auth.lockout.started': {
    audit: true,
    outcome: 'failure',
    description: 'Too many failures: an account or a client address is temporarily locked.',
    details: z.strictObject({
      scope: z.enum(['account', 'client']),
      failures: count(1_000_000),
      lockSeconds: count(86_400 * 30),
    }),
    example: { scope: 'account', failures: 10, lockSeconds: 900 },
  },
  'auth.mfa.challenge.succeeded': {
    audit: false,
    outcome: 'success',
    description: 'A second factor was verified (login or step-up).',
    details: z.strictObject({ factor: MFA_FACTORS, purpose: z.enum(['login', 'step_up']) }),
    example: { factor: 'totp', purpose: 'login' },
  },
  'auth.mfa.challenge.failed': {
    audit: false,
    outcome: 'failure',
    description: 'A second factor was wrong, replayed or expired.',
    details: z.strictObject({
      factor: MFA_FACTORS,
      purpose: z.enum(['login', 'step_up']),
      reason: z.enum(['invalid', 'replayed', 'expired']),
    }),
    example: { factor: 'totp', purpose: 'login', reason: 'replayed' },
  },
  'auth.mfa.enrolled': {
    audit: true,
    outcome: 'success',
    description: 'A second factor was added to an account.',
    details: z.strictObject({ factor: z.enum(['totp', 'webauthn']) }),
    example: { factor: 'webauthn' },
  },
  'auth.mfa.removed': {
    audit: true,
    outcome: 'success',
    description: 'A second factor was removed from an account.',
    details: z.strictObject({ factor: z.enum(['totp', 'webauthn']) }),
    example: { factor: 'totp' },
  },
  'auth.mfa.recovery_code.used': {
    audit: true,
    outcome: 'success',
    description: 'A recovery code was spent.',
    details: z.strictObject({ remaining: count(100) }),
    example: { remaining: 7 },
  },
  'auth.mfa.recovery_codes.regenerated': {
    audit: true,
    outcome: 'success',
    description: 'A new set of recovery codes replaced the old one.',
    details: z.strictObject({ count: count(100) }),
    example: { count: 10 },
  },
  'auth.password.changed': {
    audit: true,
    outcome: 'success',
    description: 'A signed-in user changed their password.',
    details: z.strictObject({ otherSessionsRevoked: z.boolean() }),
    example: { otherSessionsRevoked: true },
  },
  'auth.password.change.failed': {
    audit: false,
    outcome: 'failure',
    description: 'A password change was refused.',
    details: z.strictObject({
      reason: z.enum(['wrong_current_password', 'policy', 'step_up_required']),
    }),
    example: { reason: 'wrong_current_password' },
  },
  'auth.password.reset.requested': {
    audit: false,
    outcome: 'success',
    description:
      'A reset was asked for. Target only when the account exists (never in the answer).',
    details: z.strictObject({}),
    example: {},
  },
  'auth.password.reset.completed': {
    audit: true,
    outcome: 'success',
    description: 'A password was set with a reset token; every session was revoked.',
    details: z.strictObject({ sessionsRevoked: count(100_000) }),
    example: { sessionsRevoked: 2 },
  },
  'auth.password.reset.failed': {
    audit: false,
    outcome: 'failure',
    description: 'A reset token was refused.',
    details: z.strictObject({
      reason: z.enum(['invalid_token', 'expired_token', 'used_token', 'policy']),
    }),
    example: { reason: 'used_token' },
  },
  'account.registered': {
    audit: true,
    outcome: 'success',
    description: 'A customer account was created (target: the user).',
    details: z.strictObject({}),
    example: {},
  },
  'account.email.change.requested': {
    audit: false,
    outcome: 'success',
    description: 'A user asked to change their email; a confirmation was sent.',
    details: z.strictObject({}),
    example: {},
  },
  'account.email.changed': {
    audit: true,
    outcome: 'success',
    description: 'The email of an account changed (the addresses themselves are never recorded).',
    details: z.strictObject({ verified: z.boolean() }),
    example: { verified: true },
  },
  'account.disabled': {
    audit: true,
    outcome: 'success',
    description: 'An account was disabled; its sessions were revoked.',
    details: z.strictObject({ kind: ACCOUNT_KINDS }),
    example: { kind: 'customer' },
  },
  'account.enabled': {
    audit: true,
    outcome: 'success',
    description: 'A disabled account was enabled again.',
    details: z.strictObject({ kind: ACCOUNT_KINDS }),
    example: { kind: 'staff' },
  },
  'account.erased': {
    audit: true,
    outcome: 'success',
    description: 'An account was anonymised on request (GDPR Art. 17).',
    details: z.strictObject({ kind: ACCOUNT_KINDS }),
    example: { kind: 'customer' },
  },
  'session.revoked': {
    audit: true,
    outcome: 'success',
    description:
      'Sessions of a user were ended: one, all but the current one, or all (target: the user).',
    details: z.strictObject({
      scope: z.enum(['one', 'others', 'all']),
      count: count(100_000),
      reason: z.enum([
        'logout',
        'user_request',
        'password_changed',
        'password_reset',
        'account_disabled',
        'staff_action',
        'unspecified',
      ]),
    }),
    example: { scope: 'all', count: 3, reason: 'password_reset' },
  },
  'session.revoked_all': {
    audit: true,
    outcome: 'success',
    description:
      'Every session (`everyone`) or every staff session (`staff`) was ended at once by the `sessions:revoke-all` command (incident response; no target).',
    details: z.strictObject({
      scope: z.enum(['everyone', 'staff']),
      count: count(100_000_000),
    }),
    example: { scope: 'everyone', count: 1250 },
  },
  'access.denied': {
    audit: false,
    outcome: 'failure',
    description:
      'The access guard refused a route: no principal (`unauthenticated`), a missing permission (`forbidden`), a factor or a fresh re-authentication still due, or a route declaring no rule (`undeclared`, a bug).',
    details: z.strictObject({
      reason: z.enum([
        'unauthenticated',
        'forbidden',
        'undeclared',
        'mfa_required',
        'mfa_enrolment_required',
        'reauthentication_required',
      ]),
      route: id(),
      required: ids(10),
    }),
    example: { reason: 'forbidden', route: 'AuditEventsController.list', required: ['audit:read'] },
  },
  'csrf.rejected': {
    audit: false,
    outcome: 'failure',
    description: 'A state-changing request failed the CSRF checks.',
    details: z.strictObject({
      reason: z.enum(['missing_token', 'token_mismatch', 'origin_mismatch', 'cross_site']),
      route: id(),
    }),
    example: { reason: 'origin_mismatch', route: 'CartController.addLine' },
  },
  'rate_limit.exceeded': {
    audit: false,
    outcome: 'failure',
    description: 'A client went over a named rate limit (anti-automation).',
    details: z.strictObject({ limit: id() }),
    example: { limit: 'auth' },
  },
  'csp.violation.reported': {
    audit: false,
    outcome: 'failure',
    description:
      'A browser reported a Content-Security-Policy or Trusted Types violation (`POST /api/csp-reports`), reduced to what triage needs: the directive, what was blocked (a keyword, or a URL: foreign URLs by origin only), the page path (no query), the script position, a SHA-256 of the sample (never its text), and how many identical reports the request held.',
    details: z.strictObject({
      format: z.enum(['report-uri', 'reporting-api']),
      directive: z.enum(CSP_DIRECTIVES),
      disposition: z.enum(['enforce', 'report', 'unknown']),
      blocked: z.enum(CSP_BLOCKED_KINDS),
      blockedUrl: reportedUrl().nullable(),
      ownDocument: z.boolean(),
      documentPath: reportedPath().nullable(),
      sourceFile: reportedUrl().nullable(),
      line: count(10_000_000).nullable(),
      column: count(10_000_000).nullable(),
      sink: id().nullable(),
      sampleSha256: sha256().nullable(),
      count: count(100),
    }),
    example: {
      format: 'reporting-api',
      directive: 'script-src-elem',
      disposition: 'enforce',
      blocked: 'url',
      blockedUrl: 'https://evil.example',
      ownDocument: true,
      documentPath: '/p/merino-jumper',
      sourceFile: 'https://shop.example/assets/entry.client-3f2a.js',
      line: 12,
      column: 4031,
      sink: null,
      sampleSha256: null,
      count: 1,
    },
  },
  'payment.webhook.rejected': {
    audit: false,
    outcome: 'failure',
    description:
      'A payment event was refused: a webhook whose signature was missing, wrong or older than the tolerance, or whose content was not an event (nothing recorded, 400); or a genuine event whose PaymentIntent does not match its order in amount, currency or intent (recorded as `mismatch`, order untouched; target: the PaymentIntent).',
    details: z.strictObject({
      provider: z.enum(['stripe', 'development']),
      reason: z.enum([
        'missing_signature',
        'invalid_signature',
        'stale_timestamp',
        'invalid_payload',
        'amount_mismatch',
        'currency_mismatch',
        'intent_mismatch',
      ]),
    }),
    example: { provider: 'stripe', reason: 'invalid_signature' },
  },
  'staff.account.created': {
    audit: true,
    outcome: 'success',
    description: 'A staff account was created (by an administrator or the bootstrap command).',
    details: z.strictObject({ roles: ids(20) }),
    example: { roles: ['administrator'] },
  },
  'coupon.created': {
    audit: true,
    outcome: 'success',
    description:
      'A discount code was created (by an operator with `coupons:create`); its terms, never the code.',
    details: z.strictObject({
      discountKind: z.enum(['percent', 'fixed']),
      discountValue: count(2_147_483_647),
      minSubtotal: count(2_147_483_647),
      validFrom: z.iso.datetime({ offset: true }),
      validUntil: z.iso.datetime({ offset: true }),
      maxRedemptions: count(2_147_483_647).nullable(),
      maxRedemptionsPerCustomer: count(2_147_483_647).nullable(),
      codeHint: z.string().regex(/^[0-9A-Z]{4}$/),
    }),
    example: {
      discountKind: 'percent',
      discountValue: 10,
      minSubtotal: 0,
      validFrom: '2026-12-01T00:00:00.000Z',
      validUntil: '2026-12-31T00:00:00.000Z',
      maxRedemptions: 500,
      maxRedemptionsPerCustomer: 1,
      codeHint: 'Q7K2',
    },
  },
  'staff.role.changed': {
    audit: true,
    outcome: 'success',
    description: 'Roles of a staff account changed.',
    details: z.strictObject({ added: ids(20), removed: ids(20) }),
    example: { added: ['order_manager'], removed: ['support'] },
  },
  'encryption.key.rotated': {
    audit: true,
    outcome: 'success',
    description: 'A new field-encryption key became the one new writes use.',
    details: z.strictObject({ keyId: id(), previousKeyId: id().nullable() }),
    example: { keyId: 'k2', previousKeyId: 'k1' },
  },
  'order.refunded': {
    audit: true,
    outcome: 'success',
    description: 'A staff member refunded (part of) an order (target: the order).',
    details: z.strictObject({
      amount: count(100_000_000),
      currency: z.enum(['EUR']),
      full: z.boolean(),
    }),
    example: { amount: 1999, currency: 'EUR', full: false },
  },
  'order.status.changed': {
    audit: true,
    outcome: 'success',
    description:
      'A staff member moved an order on (fulfilled, shipped, delivered; target: the order).',
    details: z.strictObject({
      from: z.enum(ORDER_STATUSES),
      to: z.enum(ORDER_STATUSES),
    }),
    example: { from: 'paid', to: 'fulfilled' },
  },
} as const satisfies Record<string, SecurityEventDefinition>;

/** The name of a security event. */
export type SecurityEventName = keyof typeof SECURITY_EVENTS;

/** Names of the events that are also rows of the audit trail. */
export type AuditedEventName = {
  [K in SecurityEventName]: (typeof SECURITY_EVENTS)[K]['audit'] extends true ? K : never;
}[SecurityEventName];

/** Names of the events that are log lines only (attacker-driven, high volume). */
export type LogOnlyEventName = Exclude<SecurityEventName, AuditedEventName>;

/** The `details` a given event accepts (input side). */
export type SecurityEventDetails<N extends SecurityEventName> = z.input<
  (typeof SECURITY_EVENTS)[N]['details']
>;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compile-time proof that the audited events are exactly the contracts' `AUDIT_ACTIONS`: adding
 * one without the other does not compile. */
export const AUDITED_EVENTS_MATCH_CONTRACT: Same<AuditedEventName, AuditAction> = true;

/** True when `name` is an event of the catalogue (for values read from the database). */
export function isSecurityEventName(name: string): name is SecurityEventName {
  return Object.hasOwn(SECURITY_EVENTS, name);
}
