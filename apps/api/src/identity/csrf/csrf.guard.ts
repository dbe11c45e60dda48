import { timingSafeEqual } from 'node:crypto';
import {
  Inject,
  Injectable,
  SetMetadata,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { auditContextOf } from '../../audit/audit-context';
import { SecurityEvents } from '../../audit/security-events.service';
import { DomainError } from '../../core/errors/domain-error';
import { sessionIdFrom } from '../../session/session-cookie';
import { SessionService } from '../../session/session.service';
import { loadRequestSession } from '../request-session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Header carrying the per-session anti-CSRF token. */
export const CSRF_HEADER = 'x-csrf-token';

export const SKIP_CSRF_TOKEN = 'csrf:skip-token';

/**
 * Exempts a route from the session-token check below — never from the origin check, which runs
 * on every request before any route is chosen. Only for a route that reads no session and changes
 * nothing a session owns, and that browsers call on their own (so it can never carry a token):
 * `POST /api/csp-reports`, whose violation reports Chromium sends with the page's cookies. Riding
 * on a victim's cookies there gains nothing: the answer and the effect (a log line) are the same
 * with or without them. A test lists the routes that carry this exemption.
 */
export const SkipCsrfToken = () => SetMetadata(SKIP_CSRF_TOKEN, true);

/**
 * Second line of the CSRF defence (synchroniser token): a state-changing request that carries a
 * live session cookie must echo that session's token in `X-CSRF-Token`. A cross-site page can make
 * the browser send the cookie but cannot read the token. Requests without a session cookie carry
 * no ambient authority and pass (the origin check still applies to them).
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(
    @Inject(SessionService) private readonly sessions: SessionService,
    @Inject(SecurityEvents) private readonly events: SecurityEvents,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (SAFE_METHODS.has(request.method) || sessionIdFrom(request) === undefined) return true;
    const exempt = this.reflector.getAllAndOverride<boolean | undefined>(SKIP_CSRF_TOKEN, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (exempt === true) return true;
    const session = await loadRequestSession(this.sessions, request);
    if (!session) return true;
    const sent = request.headers[CSRF_HEADER];
    const expected = Buffer.from(session.record.csrfToken);
    const actual = Buffer.from(typeof sent === 'string' ? sent : '');
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      void this.events.emit(auditContextOf(request), {
        name: 'csrf.rejected',
        details: {
          reason: actual.length === 0 ? 'missing_token' : 'token_mismatch',
          route: `${context.getClass().name}.${context.getHandler().name}`.slice(0, 64),
        },
      });
      throw new DomainError('CSRF_REJECTED');
    }
    return true;
  }
}
