import { createHash } from 'node:crypto';
import { Inject, Injectable, type ExecutionContext, type Type } from '@nestjs/common';
import {
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerOptions,
  type ThrottlerRequest,
} from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { auditContextOf } from '../audit/audit-context';
import { SecurityEvents } from '../audit/security-events.service';
import {
  RATE_LIMIT_POLICIES,
  SKIP_RATE_LIMIT,
  type RateLimitPolicy,
} from './rate-limit.decorators';

/** The limits that apply to one route, resolved once from its (static) metadata. */
type RouteLimits =
  | { kind: 'skip' }
  /** The route or a limit uses a feature only the library's own evaluation handles. */
  | { kind: 'library' }
  | {
      kind: 'limits';
      limits: {
        throttler: ThrottlerOptions;
        limit: number;
        ttl: number;
        blockDuration: number;
        when?: RateLimitPolicy['when'];
      }[];
    };

/**
 * The global rate-limit guard. Requests are keyed by the trusted client IP (`request.ip`, which
 * Fastify derives from `X-Forwarded-For` only across the configured number of our own proxy hops,
 * so a client cannot pick its own address). The `default` limit is one bucket per IP across all
 * routes; named limits apply only to routes that opt in with `@RateLimit()`. A refusal is a 429
 * with `Retry-After`, reported as a `rate_limit.exceeded` security event (a log line).
 *
 * Which limits apply to a route is static, so it is worked out once per route instead of through
 * the library's half-dozen metadata reads per limit per request; each applicable limit is then
 * counted by the library's own `handleRequest`. A route using the library's decorators
 * (`@Throttle`, `@SkipThrottle`) or a limit with computed values keeps the library's evaluation.
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  // Property injection: the base class owns the constructor.
  @Inject(SecurityEvents) private readonly events!: SecurityEvents;
  private readonly routes = new WeakMap<object, RouteLimits>();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.limitsFor(context);
    if (route.kind === 'skip') return true;
    const { getTracker, generateKey } = this.commonOptions;
    if (route.kind === 'library' || !getTracker || !generateKey) return super.canActivate(context);
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    for (const { throttler, limit, ttl, blockDuration, when } of route.limits) {
      if (when && !when(request)) continue;
      await this.count({ context, limit, ttl, throttler, blockDuration, getTracker, generateKey });
    }
    return true;
  }

  private limitsFor(context: ExecutionContext): RouteLimits {
    const handler = context.getHandler();
    let route = this.routes.get(handler);
    if (route === undefined) {
      route = this.resolveLimits([handler, context.getClass()]);
      this.routes.set(handler, route);
    }
    return route;
  }

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- Nest's handler type
  private resolveLimits(targets: [Function, Type]): RouteLimits {
    if (this.reflector.getAllAndOverride<boolean | undefined>(SKIP_RATE_LIMIT, targets) === true) {
      return { kind: 'skip' };
    }
    const libraryMetadata = targets.some((target) =>
      Reflect.getMetadataKeys(target).some(
        (key) => typeof key === 'string' && key.startsWith('THROTTLER:'),
      ),
    );
    if (libraryMetadata || this.commonOptions.skipIf) return { kind: 'library' };
    const policies =
      this.reflector.getAllAndOverride<RateLimitPolicy[] | undefined>(
        RATE_LIMIT_POLICIES,
        targets,
      ) ?? [];
    const limits: Extract<RouteLimits, { kind: 'limits' }>['limits'] = [];
    for (const throttler of this.throttlers) {
      const name = throttler.name ?? 'default';
      const policy = policies.find((p) => p.name === name);
      if (name !== 'default' && !policy) continue;
      const { limit, ttl, blockDuration = ttl } = throttler;
      if (
        throttler.skipIf ||
        typeof limit !== 'number' ||
        typeof ttl !== 'number' ||
        typeof blockDuration !== 'number'
      ) {
        return { kind: 'library' };
      }
      limits.push({
        throttler,
        limit,
        ttl,
        blockDuration,
        ...(policy?.when ? { when: policy.when } : {}),
      });
    }
    return { kind: 'limits', limits };
  }

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    const skip = this.reflector.getAllAndOverride<boolean | undefined>(SKIP_RATE_LIMIT, [
      context.getHandler(),
      context.getClass(),
    ]);
    return Promise.resolve(skip === true);
  }

  protected override handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const name = request.throttler.name ?? 'default';
    if (name !== 'default') {
      const policies =
        this.reflector.getAllAndOverride<RateLimitPolicy[] | undefined>(RATE_LIMIT_POLICIES, [
          request.context.getHandler(),
          request.context.getClass(),
        ]) ?? [];
      const policy = policies.find((p) => p.name === name);
      const req = request.context.switchToHttp().getRequest<FastifyRequest>();
      if (!policy || (policy.when && !policy.when(req))) return Promise.resolve(true);
    }
    return this.count(request);
  }

  /** Counts the request against one limit; a refusal is reported, then thrown (429). */
  private count(request: ThrottlerRequest): Promise<boolean> {
    const name = request.throttler.name ?? 'default';
    return super.handleRequest(request).catch((error: unknown) => {
      const req = request.context.switchToHttp().getRequest<FastifyRequest>();
      this.events.report(auditContextOf(req), {
        name: 'rate_limit.exceeded',
        details: { limit: name },
      });
      throw error;
    });
  }

  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    name: string,
  ): string {
    return createHash('sha256').update(`${name}:${tracker}`).digest('base64url');
  }

  protected override throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    reply.header('retry-after', String(Math.max(1, Math.ceil(detail.timeToBlockExpire))));
    return super.throwThrottlingException(context, detail);
  }
}
