import { z } from 'zod';
import { intParam, repeatedParam } from './query-params';

/**
 * Every action the audit trail records, as stable dotted names. Renaming one is a breaking change
 * (old rows keep the old name); adding one is not. The API keeps, for each, the schema of the
 * small `details` object it may carry.
 */
export const AUDIT_ACTIONS = [
  'auth.login.succeeded',
  'auth.lockout.started',
  'auth.mfa.enrolled',
  'auth.mfa.removed',
  'auth.mfa.recovery_code.used',
  'auth.mfa.recovery_codes.regenerated',
  'auth.password.changed',
  'auth.password.reset.completed',
  'account.registered',
  'account.email.changed',
  'account.disabled',
  'account.enabled',
  'account.erased',
  'session.revoked',
  'session.revoked_all',
  'staff.account.created',
  'staff.role.changed',
  'coupon.created',
  'encryption.key.rotated',
  'order.refunded',
  'order.status.changed',
] as const;
/** One of {@link AUDIT_ACTIONS}. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who did it: a customer or staff account (by id), the system (a job or command), or nobody known. */
export const AUDIT_ACTOR_TYPES = ['customer', 'staff', 'system', 'anonymous'] as const;
/** One of {@link AUDIT_ACTOR_TYPES}. */
export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];

/**
 * Identifiers in the audit trail: uuids, job names, role names… Letters, digits and `_ . : -`
 * only, so an email address, a name or a phone number can never be stored as one.
 */
export const AUDIT_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
/** Kinds of audited object (`user`, `session`, `order`…): lower-case snake words. */
export const AUDIT_TARGET_TYPE_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;

/** Page size bounds of the audit event listing. */
export const AUDIT_PAGE_SIZE = { default: 50, max: 200 } as const;

const auditId = z.string().regex(AUDIT_ID_PATTERN, 'must be an identifier (A-Z a-z 0-9 _ . : -)');
const instant = z.iso
  .datetime({ offset: true })
  .describe('ISO 8601 instant with offset, e.g. `2026-11-20T10:00:00Z`.');

/** Query of `GET /api/admin/audit-events`: filters, newest first, keyset pagination. */
export const ListAuditEventsQuerySchema = z
  .strictObject({
    action: repeatedParam(z.enum(AUDIT_ACTIONS), 20)
      .optional()
      .describe('Only these actions (repeat the parameter for several).'),
    actorType: z.enum(AUDIT_ACTOR_TYPES).optional(),
    actorId: auditId.optional().describe('Only events done by this actor (an account id).'),
    targetType: z.string().regex(AUDIT_TARGET_TYPE_PATTERN).optional(),
    targetId: auditId.optional().describe('Only events about this object; needs `targetType`.'),
    from: instant.optional().describe('Events at or after this instant.'),
    to: instant.optional().describe('Events strictly before this instant.'),
    cursor: z
      .string()
      .regex(/^[1-9]\d{0,17}$/, 'must be an opaque cursor from a previous page')
      .optional(),
    limit: intParam(1, AUDIT_PAGE_SIZE.max).optional(),
  })
  .refine((q) => q.targetId === undefined || q.targetType !== undefined, {
    message: 'targetId needs targetType',
    path: ['targetId'],
  })
  .refine(
    (q) => q.from === undefined || q.to === undefined || Date.parse(q.from) < Date.parse(q.to),
    {
      message: 'from must be before to',
      path: ['from'],
    },
  );
/** Parsed audit listing query. */
export type ListAuditEventsQuery = z.output<typeof ListAuditEventsQuerySchema>;

/** A value of an event's `details`: scalars and short lists of identifiers only. */
export const AuditDetailValueSchema = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.string()),
]);

/** One recorded event. Client addresses are only ever shown pseudonymised. */
export const AuditEventSchema = z.strictObject({
  seq: z.string().regex(/^\d+$/).describe('Position in the hash chain (a decimal integer).'),
  occurredAt: z.iso.datetime(),
  actor: z.strictObject({ type: z.enum(AUDIT_ACTOR_TYPES), id: z.string().nullable() }),
  action: z.enum(AUDIT_ACTIONS),
  target: z.strictObject({ type: z.string(), id: z.string() }).nullable(),
  client: z
    .string()
    .nullable()
    .describe('Keyed pseudonym of the client address: equal addresses give equal values.'),
  requestId: z.string().nullable(),
  details: z.record(z.string(), AuditDetailValueSchema),
});
/** An audit event as TypeScript. */
export type AuditEvent = z.infer<typeof AuditEventSchema>;

/** A page of audit events, newest first. */
export const AuditEventPageSchema = z.strictObject({
  items: z.array(AuditEventSchema),
  nextCursor: z.string().nullable().describe('Pass as `cursor` for the next (older) page.'),
});
/** A page of audit events as TypeScript. */
export type AuditEventPage = z.infer<typeof AuditEventPageSchema>;
