import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ANONYMOUS, auditContextOf } from '../../audit/audit-context';
import { SecurityEvents } from '../../audit/security-events.service';
import { DomainError } from '../errors/domain-error';
import { IS_PUBLIC, REQUIRED_PERMISSIONS } from './public.decorator';

/**
 * Deny by default: a route is reachable only if it is declared `@Public()` or declares the
 * permissions it needs and the caller holds them. A route with neither is refused (and a test
 * enumerating every route fails on it), so a forgotten decorator never makes an endpoint public.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(SecurityEvents) private readonly events: SecurityEvents,
  ) {}

  /** Reports a refusal as an `access.denied` security event (a log line; never throws). */
  private denied(
    context: ExecutionContext,
    reason: 'unauthenticated' | 'undeclared',
    required: readonly string[],
  ): void {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    this.events.report(auditContextOf(request, ANONYMOUS), {
      name: 'access.denied',
      details: {
        reason,
        route: `${context.getClass().name}.${context.getHandler().name}`.slice(0, 64),
        required: [...required],
      },
    });
  }

  canActivate(context: ExecutionContext): boolean {
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
    // No principal can hold a permission until the identity context exists.
    this.denied(context, 'unauthenticated', permissions);
    throw new DomainError('UNAUTHENTICATED');
  }
}
