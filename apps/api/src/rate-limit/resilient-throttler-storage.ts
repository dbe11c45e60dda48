import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { DomainError } from '../core/errors/domain-error';
import {
  incrementAll,
  incrementOne,
  type LimitCount,
  type LimitCounter,
  type ThrottlerStorageRecord,
} from './limit-counter';

/**
 * Limits that protect state changes or credentials, or bound what anyone can write to the logs
 * (`csp-report`: a lost report costs nothing, an unthrottled flood costs log storage): if they
 * cannot be counted, refuse.
 */
const FAIL_CLOSED = new Set(['auth', 'checkout', 'csp-report']);

/**
 * Wraps the Redis throttler storage so a Redis outage degrades deliberately: catalogue reads
 * (`default`, `search`) stay available — the WAF's rate rules still stand in front — while
 * `auth`, `checkout` and `csp-report` fail closed with 503 rather than run unthrottled. When a
 * request is counted against several limits at once and one of them fails closed, it is refused.
 */
export class ResilientThrottlerStorage implements ThrottlerStorage, LimitCounter {
  private readonly logger = new Logger('RateLimit');
  private lastWarning = 0;

  constructor(private readonly inner: ThrottlerStorage & Partial<LimitCounter>) {}

  increment(...args: Parameters<ThrottlerStorage['increment']>): Promise<ThrottlerStorageRecord> {
    return incrementOne(this, ...args);
  }

  async incrementAll(counts: readonly LimitCount[]): Promise<ThrottlerStorageRecord[]> {
    try {
      return await incrementAll(this.inner, counts);
    } catch (error) {
      if (counts.some(({ name }) => FAIL_CLOSED.has(name))) {
        throw new DomainError('SERVICE_UNAVAILABLE');
      }
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        const names = counts.map(({ name }) => `'${name}'`).join(', ');
        this.logger.warn(`rate-limit storage unavailable, ${names} not enforced: ${String(error)}`);
      }
      return counts.map(({ ttl }) => ({
        totalHits: 0,
        timeToExpire: Math.ceil(ttl / 1000),
        isBlocked: false,
        timeToBlockExpire: 0,
      }));
    }
  }
}
