import { AUDIT_ID_PATTERN, AUDIT_TARGET_TYPE_PATTERN } from '@storefront/contracts';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

/**
 * Who did something. Accounts are named by their id (a uuid: pseudonymous, never an email or a
 * name); the system by the job or command that acted (`cli:admin-create`, `job:key-rotation`).
 */
export type AuditActor =
  | { type: 'customer' | 'staff'; id: string }
  | { type: 'system'; id: string }
  | { type: 'anonymous'; id: null };

/** The object an event is about, e.g. `{ type: 'user', id: '<uuid>' }`. */
export interface AuditTarget {
  type: string;
  id: string;
}

/**
 * The first argument of every audit and security-event call: who acts, in which request, from
 * where. `clientAddress` is the trusted client IP (`request.ip`); it is pseudonymised before it is
 * written anywhere. `requestId` defaults to the id of the request being served.
 */
export interface AuditContext {
  actor: AuditActor;
  requestId?: string | null;
  clientAddress?: string | null;
}

/** The actor of an unauthenticated caller. */
export const ANONYMOUS: AuditActor = Object.freeze({ type: 'anonymous', id: null });

/** The actor of work done by the system itself (a command, a job), named by what it is. */
export function systemActor(name: string): AuditActor {
  return { type: 'system', id: name };
}

/** The context of the HTTP request being served, for the given actor. */
export function auditContextOf(
  request: FastifyRequest,
  actor: AuditActor = ANONYMOUS,
): AuditContext {
  return { actor, requestId: request.id, clientAddress: request.ip };
}

const identifier = z.string().regex(AUDIT_ID_PATTERN);

/** Validates an actor: account actors need a uuid, the system an identifier, anonymous nothing. */
export const AuditActorSchema: z.ZodType<AuditActor> = z.discriminatedUnion('type', [
  z.strictObject({ type: z.enum(['customer', 'staff']), id: z.uuid() }),
  z.strictObject({ type: z.literal('system'), id: identifier }),
  z.strictObject({ type: z.literal('anonymous'), id: z.null() }),
]);

/** Validates a target: a snake-case type and an identifier. */
export const AuditTargetSchema: z.ZodType<AuditTarget> = z.strictObject({
  type: z.string().regex(AUDIT_TARGET_TYPE_PATTERN),
  id: identifier,
});
