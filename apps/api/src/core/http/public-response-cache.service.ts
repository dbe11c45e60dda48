import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { KEY_VALUE_STORE, type KeyValueStore } from '../../store/key-value-store';

/** A cached public response: its serialised body and ETag. */
export interface CachedResponse {
  etag: string;
  body: string;
}

const VERSION_KEY = 'public-cache:version';
const CHANNEL = 'public-cache:invalidated';

/**
 * Redis cache of public, cacheable responses (the catalogue), invalidated by version.
 *
 * Each entry records the version it was computed under; invalidation increments the version in
 * Redis and announces it on a channel, so every instance stops serving older entries at once
 * without scanning keys. While the version is unknown (Redis away at boot, or reconnecting), the
 * cache is bypassed rather than trusted. Cache errors never fail a request: it is served from
 * PostgreSQL instead.
 */
@Injectable()
export class PublicResponseCache implements OnModuleInit {
  private readonly logger = new Logger(PublicResponseCache.name);
  private version: number | null = null;

  constructor(@Inject(KEY_VALUE_STORE) private readonly store: KeyValueStore) {}

  async onModuleInit(): Promise<void> {
    await this.store.subscribe(
      CHANNEL,
      (message) => {
        const announced = Number(message);
        if (
          Number.isSafeInteger(announced) &&
          (this.version === null || announced > this.version)
        ) {
          this.version = announced;
        }
      },
      () => void this.refreshVersion(),
    );
    await this.refreshVersion();
  }

  private async refreshVersion(): Promise<void> {
    this.version = null;
    try {
      this.version = Number((await this.store.get(VERSION_KEY)) ?? '0');
    } catch (error) {
      this.logger.warn(`cache version unavailable, cache bypassed: ${String(error)}`);
    }
  }

  /** The version a request starts under, or null when the cache must be bypassed. */
  currentVersion(): number | null {
    return this.version;
  }

  async get(key: string, version: number): Promise<CachedResponse | null> {
    try {
      const raw = await this.store.get(`public-cache:entry:${key}`);
      if (raw === null) return null;
      const entry = JSON.parse(raw) as CachedResponse & { v: number };
      return entry.v === version ? { etag: entry.etag, body: entry.body } : null;
    } catch {
      return null;
    }
  }

  async put(
    key: string,
    version: number,
    response: CachedResponse,
    ttlSeconds: number,
  ): Promise<void> {
    try {
      await this.store.set(
        `public-cache:entry:${key}`,
        JSON.stringify({ v: version, ...response }),
        ttlSeconds,
      );
    } catch {
      // A failed write only costs a future miss.
    }
  }

  /** Makes every cached response stale, on every instance. Call after the data has committed. */
  async invalidate(): Promise<void> {
    try {
      const next = await this.store.incr(VERSION_KEY);
      this.version = next;
      await this.store.publish(CHANNEL, String(next));
    } catch (error) {
      // Entries expire after their TTL; until Redis is back nothing is cached (version unknown).
      this.version = null;
      this.logger.error(`cache invalidation failed: ${String(error)}`);
    }
  }
}
