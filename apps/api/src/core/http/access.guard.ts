import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ANONYMOUS, auditContextOf } from '../../audit/audit-context';
import { SecurityEvents } from '../../audit/security-events.service';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DomainError } from '../errors/domain-error';
import {
  PRINCIPAL_RESOLVER,
  setRequestPrincipal,
  type Principal,
  type PrincipalResolver,
} from './principal';
import {
  ALLOW_MFA_ENROLMENT,
  IS_PUBLIC,
  REQUIRE_RECENT_AUTH,
  REQUIRED_PERMISSIONS,
} from './public.decorator';

/**
 * Deny by default: a route is reachable only if it is declared `@Public()` or declares the
 * permissions it needs and the caller holds them. A route with neither is refused (and a test
 * enumerating every route fails on it), so a forgotten decorator never makes an endpoint public.
 * A session that has not passed every required factor holds no permission, except on routes that
 * allow MFA enrolment; `@RequireRecentAuth()` routes also need a fresh (re-)authentication.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(PRINCIPAL_RESOLVER) private readonly principals: PrincipalResolver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SecurityEvents) private readonly events: SecurityEvents,
  ) {}

  /** Reports a refusal as an `access.denied` security event (a log line; never throws). */
  private denied(
    context: ExecutionContext,
    reason:
      | 'unauthenticated'
      | 'forbidden'
      | 'undeclared'
      | 'mfa_required'
      | 'mfa_enrolment_required'
      | 'reauthentication_required',
    required: readonly string[],
    principal: Principal | null = null,
  ): void {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    this.events.report(
      auditContextOf(
        request,
        principal ? { type: principal.kind, id: principal.userId } : ANONYMOUS,
      ),
      {
        name: 'access.denied',
        details: {
          reason,
          route: `${context.getClass().name}.${context.getHandler().name}`.slice(0, 64),
          required: [...required],
        },
      },
    );
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets) === true)
      return true;
    const permissions = this.reflector.getAllAndOverride<string[] | undefined>(
      REQUIRED_PERMISSIONS,
      targets,
    );
    if (!permissions || permissions.length === 0) {
      this.denied(context, 'undeclared', []);
      throw new Error(
        `Route ${context.getClass().name}.${context.getHandler().name} declares no access rule`,
      );
    }
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = await this.principals.resolve(request);
    if (!principal) {
      this.denied(context, 'unauthenticated', permissions);
      throw new DomainError('UNAUTHENTICATED');
    }
    if (principal.level === 'mfa-pending') {
      this.denied(context, 'mfa_required', permissions, principal);
      throw new DomainError('MFA_REQUIRED');
    }
    if (
      principal.level === 'mfa-enrolment' &&
      this.reflector.getAllAndOverride<boolean | undefined>(ALLOW_MFA_ENROLMENT, targets) !== true
    ) {
      this.denied(context, 'mfa_enrolment_required', permissions, principal);
      throw new DomainError('MFA_ENROLMENT_REQUIRED');
    }
    if (!permissions.every((p) => principal.permissions.has(p))) {
      this.denied(context, 'forbidden', permissions, principal);
      throw new DomainError('FORBIDDEN');
    }
    if (
      this.reflector.getAllAndOverride<boolean | undefined>(REQUIRE_RECENT_AUTH, targets) ===
        true &&
      Date.now() - principal.reauthenticatedAt > this.config.identity.stepUpMaxAgeSeconds * 1000
    ) {
      this.denied(context, 'reauthentication_required', permissions, principal);
      throw new DomainError('REAUTHENTICATION_REQUIRED');
    }
    setRequestPrincipal(request, principal);
    return true;
  }
}
