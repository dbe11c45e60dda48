import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../errors/domain-error';
import { IS_PUBLIC, REQUIRED_PERMISSIONS } from './public.decorator';

/**
 * Deny by default: a route is reachable only if it is declared `@Public()` or declares the
 * permissions it needs and the caller holds them. A route with neither is refused (and a test
 * enumerating every route fails on it), so a forgotten decorator never makes an endpoint public.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(@Inject(Reflector) private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets) === true)
      return true;
    const permissions = this.reflector.getAllAndOverride<string[] | undefined>(
      REQUIRED_PERMISSIONS,
      targets,
    );
    if (!permissions || permissions.length === 0) {
      throw new Error(
        `Route ${context.getClass().name}.${context.getHandler().name} declares no access rule`,
      );
    }
    // No principal can hold a permission until the identity context exists.
    throw new DomainError('UNAUTHENTICATED');
  }
}
