import { hash } from 'node:crypto';
import { Inject, Injectable, type ExecutionContext, type Type } from '@nestjs/common';
import {
  ThrottlerException,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerRequest,
} from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { auditContextOf } from '../audit/audit-context';
import { SecurityEvents } from '../audit/security-events.service';
import { incrementAll } from './limit-counter';
import {
  RATE_LIMIT_POLICIES,
  SKIP_RATE_LIMIT,
  type RateLimitPolicy,
} from './rate-limit.decorators';

/** One limit as it applies to a route, resolved once from its (static) metadata. */
interface RouteLimit {
  name: string;
  limit: number;
  ttl: number;
  blockDuration: number;
  setHeaders: boolean;
  when?: RateLimitPolicy['when'];
}

/** The limits that apply to one route. */
type RouteLimits =
  | { kind: 'skip' }
  /** The route or a limit uses a feature only the library's own evaluation handles. */
  | { kind: 'library' }
  | { kind: 'limits'; limits: RouteLimit[] };

const suffixOf = (name: string) => (name === 'default' ? '' : `-${name}`);

/**
 * The global rate-limit guard. Requests are keyed by the trusted client IP (`request.ip`, which
 * Fastify derives from `X-Forwarded-For` only across the configured number of our own proxy hops,
 * so a client cannot pick its own address). The `default` limit is one bucket per IP across all
 * routes; named limits apply only to routes that opt in with `@RateLimit()`. A refusal is a 429
 * with `Retry-After`, reported as a `rate_limit.exceeded` security event (a log line).
 *
 * Which limits apply to a route is static, so it is worked out once per route instead of through
 * the library's half-dozen metadata reads per limit per request. A request's applicable limits
 * are then counted together, in one storage call (one Redis script for the default and, say, the
 * search limit), every one of them counted; if any refuses, the request is refused, with the
 * longest `Retry-After` of those that refused, and reported once, naming the first in order. The
 * headers are the library's (`X-RateLimit-Limit`, `-Remaining`, `-Reset`, suffixed with a named
 * limit's name). A route using the library's decorators (`@Throttle`, `@SkipThrottle`) or a limit
 * with computed values or options of its own keeps the library's evaluation, one limit at a time.
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
    const { req, res } = this.getRequestResponse(context);
    const request = req as FastifyRequest;
    const limits = route.limits.filter(({ when }) => !when || when(request));
    if (limits.length === 0) return true;
    const tracker = await getTracker(request, context);
    const counts = limits.map(({ name, ttl, limit, blockDuration }) => ({
      key: generateKey(context, tracker, name),
      ttl,
      limit,
      blockDuration,
      name,
    }));
    const records = await incrementAll(this.storageService, counts);
    let refusal: (ThrottlerLimitDetail & { name: string }) | undefined;
    limits.forEach(({ name, limit, ttl, setHeaders }, i) => {
      const record = records[i];
      const key = counts[i]?.key;
      if (!record || key === undefined) throw new Error('rate-limit storage lost a count');
      const suffix = suffixOf(name);
      if (record.isBlocked) {
        if (setHeaders)
          this.setResponseHeader(res, `Retry-After${suffix}`, record.timeToBlockExpire);
        refusal ??= { name, limit, ttl, key, tracker, ...record };
        refusal.timeToBlockExpire = Math.max(refusal.timeToBlockExpire, record.timeToBlockExpire);
      } else if (setHeaders) {
        this.setResponseHeader(res, `${this.headerPrefix}-Limit${suffix}`, limit);
        this.setResponseHeader(
          res,
          `${this.headerPrefix}-Remaining${suffix}`,
          Math.max(0, limit - record.totalHits),
        );
        this.setResponseHeader(res, `${this.headerPrefix}-Reset${suffix}`, record.timeToExpire);
      }
    });
    if (refusal) {
      const { name, ...detail } = refusal;
      this.reportRefusal(request, name);
      await this.throwThrottlingException(context, detail);
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
    const { skipIf, ignoreUserAgents, setHeaders = true } = this.commonOptions;
    if (libraryMetadata || skipIf || ignoreUserAgents) return { kind: 'library' };
    const policies =
      this.reflector.getAllAndOverride<RateLimitPolicy[] | undefined>(
        RATE_LIMIT_POLICIES,
        targets,
      ) ?? [];
    const limits: RouteLimit[] = [];
    for (const throttler of this.throttlers) {
      const name = throttler.name ?? 'default';
      const policy = policies.find((p) => p.name === name);
      if (name !== 'default' && !policy) continue;
      const { limit, ttl, blockDuration = ttl } = throttler;
      if (
        throttler.skipIf ||
        throttler.ignoreUserAgents ||
        throttler.getTracker ||
        throttler.generateKey ||
        typeof limit !== 'number' ||
        typeof ttl !== 'number' ||
        typeof blockDuration !== 'number'
      ) {
        return { kind: 'library' };
      }
      limits.push({
        name,
        limit,
        ttl,
        blockDuration,
        setHeaders: throttler.setHeaders ?? setHeaders,
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

  /** Counts the request against one limit (the library's evaluation); a refusal is reported. */
  private count(request: ThrottlerRequest): Promise<boolean> {
    return super.handleRequest(request).catch((error: unknown) => {
      if (error instanceof ThrottlerException) {
        const req = request.context.switchToHttp().getRequest<FastifyRequest>();
        this.reportRefusal(req, request.throttler.name ?? 'default');
      }
      throw error;
    });
  }

  private reportRefusal(request: FastifyRequest, limit: string): void {
    this.events.report(auditContextOf(request), {
      name: 'rate_limit.exceeded',
      details: { limit },
    });
  }

  /**
   * `<client hash>:<limit name>`: the client is pseudonymous in Redis, and its part is the hash
   * tag that keeps all of its counters in one cluster slot (see `RedisThrottlerStorage`).
   */
  protected override generateKey(
    _context: ExecutionContext,
    tracker: string,
    name: string,
  ): string {
    return `${hash('sha256', tracker, 'base64url')}:${name}`;
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
