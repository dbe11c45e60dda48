import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { KEY_VALUE_STORE, REDIS_CLIENT, type KeyValueStore } from './key-value-store';
import { MemoryKeyValueStore } from './memory-key-value-store';
import { RedisKeyValueStore, redisOptions } from './redis-key-value-store';

/**
 * Provides the Redis client and the {@link KeyValueStore}. The first connection attempt does not
 * block boot: if Redis is down, the API still starts, readiness reports 503, the catalogue keeps
 * serving from PostgreSQL, and requests that need a session fail closed with 503.
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig): Promise<Redis | null> => {
        if (config.redis.kind === 'memory') return null;
        const client = new Redis(config.redis.url, redisOptions(config.redis.keyPrefix));
        const logger = new Logger('Redis');
        let lastError = '';
        client.on('error', (error: Error) => {
          if (error.message !== lastError) logger.warn(`redis connection: ${error.message}`);
          lastError = error.message;
        });
        client.on('ready', () => (lastError = ''));
        await client.connect().catch(() => undefined);
        return client;
      },
    },
    {
      provide: KEY_VALUE_STORE,
      inject: [APP_CONFIG, REDIS_CLIENT],
      useFactory: (config: AppConfig, client: Redis | null): KeyValueStore =>
        client ? new RedisKeyValueStore(client, config.redis.keyPrefix) : new MemoryKeyValueStore(),
    },
  ],
  exports: [REDIS_CLIENT, KEY_VALUE_STORE],
})
export class StoreModule implements OnApplicationShutdown {
  constructor(@Inject(KEY_VALUE_STORE) private readonly store: KeyValueStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
