import { Module } from '@nestjs/common';
import { ThrottlerModule, ThrottlerStorageService } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { REDIS_CLIENT } from '../store/key-value-store';
import { RedisThrottlerStorage } from './redis-throttler-storage';
import { ResilientThrottlerStorage } from './resilient-throttler-storage';

/**
 * Redis-backed rate limiting (`@nestjs/throttler` with {@link RedisThrottlerStorage}), with
 * the limits from configuration: `default` everywhere, `search`, `auth`, `checkout` and `csp-report`
 * where a route opts in. Development without Redis counts in memory.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, REDIS_CLIENT],
      useFactory: (config: AppConfig, redis: Redis | null) => ({
        throttlers: (['default', 'search', 'auth', 'checkout', 'csp-report'] as const).map(
          (name) => ({
            name,
            limit: config.rateLimits[name].limit,
            ttl: config.rateLimits[name].ttlMs,
          }),
        ),
        storage: new ResilientThrottlerStorage(
          redis ? new RedisThrottlerStorage(redis) : new ThrottlerStorageService(),
        ),
      }),
    }),
  ],
})
export class RateLimitModule {}
