import { SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Named limits a route can opt into, on top of the per-IP default that applies everywhere. */
export type NamedRateLimit = 'search' | 'auth' | 'checkout' | 'csp-report';

/** A route's opt-in to a named limit, optionally only for some requests. */
export interface RateLimitPolicy {
  name: NamedRateLimit;
  /** Count the request against this limit only when this returns true (e.g. only searches). */
  when?: (request: FastifyRequest) => boolean;
}

export const RATE_LIMIT_POLICIES = 'rate-limit:policies';
export const SKIP_RATE_LIMIT = 'rate-limit:skip';

/** Applies the named limit to this route (in addition to the default). */
export const RateLimit = (name: NamedRateLimit, options: Omit<RateLimitPolicy, 'name'> = {}) =>
  SetMetadata(RATE_LIMIT_POLICIES, [{ name, ...options }] satisfies RateLimitPolicy[]);

/**
 * Exempts a route from every limit — only for health probes from the load balancer and Stripe's
 * signed webhook (whose own retries are the back-pressure, and which must not be throttled in a
 * flash sale; a forged call costs one HMAC before it is refused).
 */
export const SkipRateLimit = () => SetMetadata(SKIP_RATE_LIMIT, true);
