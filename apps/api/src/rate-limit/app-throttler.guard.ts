import { createHash } from 'node:crypto';
import { Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import {
  ThrottlerGuard,
  type ThrottlerLimitDetail,
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

/**
 * The global rate-limit guard. Requests are keyed by the trusted client IP (`request.ip`, which
 * Fastify derives from `X-Forwarded-For` only across the configured number of our own proxy hops,
 * so a client cannot pick its own address). The `default` limit is one bucket per IP across all
 * routes; named limits apply only to routes that opt in with `@RateLimit()`. A refusal is a 429
 * with `Retry-After`, reported as a `rate_limit.exceeded` security event (a log line).
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  // Property injection: the base class owns the constructor.
  @Inject(SecurityEvents) private readonly events!: SecurityEvents;

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
