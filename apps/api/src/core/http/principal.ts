import type { FastifyRequest } from 'fastify';
import type { Session } from '../../session/session.service';

/** Who is calling: resolved from the session by the identity context. */
export interface Principal {
  userId: string;
  kind: 'customer' | 'staff';
  roles: readonly string[];
  permissions: ReadonlySet<string>;
  /** `full` once every required factor passed; see {@link SessionAuth.level}. */
  level: 'full' | 'mfa-pending' | 'mfa-enrolment';
  /** Epoch ms of the last sign-in or re-authentication (for step-up). */
  reauthenticatedAt: number;
  /** The session the principal came from. */
  session: Session;
}

/** Turns a request into its principal (or null for an anonymous caller). */
export interface PrincipalResolver {
  resolve(request: FastifyRequest): Promise<Principal | null>;
}

/** Injection token of the {@link PrincipalResolver} (provided by the identity context). */
export const PRINCIPAL_RESOLVER = Symbol('PRINCIPAL_RESOLVER');

const PRINCIPALS = new WeakMap<FastifyRequest, Principal>();

/** Records the principal the access guard resolved for this request. */
export function setRequestPrincipal(request: FastifyRequest, principal: Principal): void {
  PRINCIPALS.set(request, principal);
}

/**
 * The principal of a request that passed the access guard with `@RequirePermissions`. Throws if
 * called on a route that did not require permissions: a programming error, never a user's.
 */
export function requestPrincipal(request: FastifyRequest): Principal {
  const principal = PRINCIPALS.get(request);
  if (!principal) throw new Error('No principal: the route must declare @RequirePermissions');
  return principal;
}
