import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal, PrincipalResolver } from '../core/http/principal';
import { SessionService } from '../session/session.service';
import { permissionsOf } from './permissions';
import { loadRequestSession } from './request-session';

/**
 * Resolves the caller from the server-side session. The roles are those recorded at sign-in;
 * changing a user's roles or disabling the account revokes every session of that user, so a
 * stale role set can never outlive the change.
 */
@Injectable()
export class SessionPrincipalResolver implements PrincipalResolver {
  constructor(@Inject(SessionService) private readonly sessions: SessionService) {}

  async resolve(request: FastifyRequest): Promise<Principal | null> {
    const session = await loadRequestSession(this.sessions, request);
    const auth = session?.record.auth;
    if (!session || !auth || session.record.userId === null) return null;
    return {
      userId: session.record.userId,
      kind: auth.kind,
      roles: auth.roles,
      permissions: permissionsOf(auth.roles),
      level: auth.level,
      reauthenticatedAt: auth.reauthenticatedAt,
      session,
    };
  }
}
