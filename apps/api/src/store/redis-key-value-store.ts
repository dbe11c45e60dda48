import { Redis } from 'ioredis';
import type { KeyValueStore } from './key-value-store';

/**
 * Options shared by every Redis connection: fail fast rather than queue when Redis is away (a
 * request must get a 503 quickly, not hang), bounded command time, and reconnection with back-off.
 * `rediss://` URLs enable TLS (ElastiCache in-transit encryption); AUTH comes from the URL.
 */
export function redisOptions(keyPrefix: string) {
  return {
    keyPrefix,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
    // Commands issued in the same event-loop tick (the rate-limit script, the cache read and write,
    // the session load of concurrent requests) go out as one write: fewer syscalls under load.
    enableAutoPipelining: true,
  };
}

/** {@link KeyValueStore} on Redis through ioredis. */
export class RedisKeyValueStore implements KeyValueStore {
  readonly kind = 'redis';
  private subscriber: Redis | undefined;

  constructor(
    private readonly client: Redis,
    private readonly keyPrefix: string,
  ) {}

  get(key: string): Promise<string | null> {
    return this.client.get(key);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.client.set(key, value, 'EX', ttlSeconds);
  }

  async del(...keys: string[]): Promise<void> {
    if (keys.length > 0) await this.client.del(...keys);
  }

  incr(key: string): Promise<number> {
    return this.client.incr(key);
  }

  async incrInWindow(key: string, ttlSeconds: number): Promise<number> {
    const results = await this.client.multi().incr(key).expire(key, ttlSeconds, 'NX').exec();
    const [error, value] = results?.[0] ?? [new Error('transaction aborted'), null];
    if (error) throw error;
    return Number(value);
  }

  async addToSet(key: string, member: string, ttlSeconds: number): Promise<void> {
    await this.client.multi().sadd(key, member).expire(key, ttlSeconds).exec();
  }

  async removeFromSet(key: string, member: string): Promise<void> {
    await this.client.srem(key, member);
  }

  setMembers(key: string): Promise<string[]> {
    return this.client.smembers(key);
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.client.publish(this.keyPrefix + channel, message);
  }

  async subscribe(
    channel: string,
    onMessage: (message: string) => void,
    onReconnect?: () => void,
  ): Promise<void> {
    if (!this.subscriber) {
      // A subscribed connection can run nothing else; it also needs its offline queue for the
      // SUBSCRIBE it replays after a reconnect.
      this.subscriber = this.client.duplicate({ enableOfflineQueue: true, lazyConnect: true });
      this.subscriber.on('error', () => {
        // Reconnection is automatic; the main client logs connection errors.
      });
    }
    const sub = this.subscriber;
    const full = this.keyPrefix + channel;
    sub.on('message', (ch: string, message: string) => {
      if (ch === full) onMessage(message);
    });
    if (onReconnect) {
      let first = true;
      sub.on('ready', () => {
        if (!first) onReconnect();
        first = false;
      });
    }
    if (sub.status === 'wait') await sub.connect().catch(() => undefined);
    await sub.subscribe(full).catch(() => undefined);
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async close(): Promise<void> {
    this.subscriber?.disconnect();
    await this.client.quit().catch(() => {
      this.client.disconnect();
    });
  }
}
