import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { DomainError } from '../core/errors/domain-error';

type Increment = ThrottlerStorage['increment'];

/**
 * Limits that protect state changes or credentials, or bound what anyone can write to the logs
 * (`csp-report`: a lost report costs nothing, an unthrottled flood costs log storage): if they
 * cannot be counted, refuse.
 */
const FAIL_CLOSED = new Set(['auth', 'checkout', 'csp-report']);

/**
 * Wraps the Redis throttler storage so a Redis outage degrades deliberately: catalogue reads
 * (`default`, `search`) stay available — the WAF's rate rules still stand in front — while
 * `auth`, `checkout` and `csp-report` fail closed with 503 rather than run unthrottled.
 */
export class ResilientThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('RateLimit');
  private lastWarning = 0;

  constructor(private readonly inner: ThrottlerStorage) {}

  async increment(...args: Parameters<Increment>): ReturnType<Increment> {
    try {
      return await this.inner.increment(...args);
    } catch (error) {
      const [, ttl, , , name] = args;
      if (FAIL_CLOSED.has(name)) throw new DomainError('SERVICE_UNAVAILABLE');
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        this.logger.warn(
          `rate-limit storage unavailable, '${name}' limit not enforced: ${String(error)}`,
        );
      }
      return {
        totalHits: 0,
        timeToExpire: Math.ceil(ttl / 1000),
        isBlocked: false,
        timeToBlockExpire: 0,
      };
    }
  }
}
