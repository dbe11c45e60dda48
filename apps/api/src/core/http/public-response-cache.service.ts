import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { KEY_VALUE_STORE, REDIS_CLIENT, type KeyValueStore } from '../../store/key-value-store';
import { redisKeyOf } from './public-cache';

/** A cached public response: its serialised body (UTF-8 JSON, ready to write) and ETag. */
export interface CachedResponse {
  etag: string;
  body: Buffer;
}

interface LocalEntry extends CachedResponse {
  version: number;
  expiresAt: number;
}

const VERSION_KEY = 'public-cache:version';
const CHANNEL = 'public-cache:invalidated';

/** Bounds of the in-process tier: entries and total body bytes (least recently used go first). */
export const LOCAL_CACHE_LIMITS = { entries: 2_000, bytes: 64 * 1024 * 1024 } as const;

/**
 * Two-tier cache of public, cacheable responses (the catalogue), invalidated by version.
 *
 * Each entry records the catalogue version it was computed under; invalidation increments the
 * version in Redis and announces it on a channel, so every instance stops serving older entries at
 * once without scanning keys. Entries live in Redis (shared by instances) and in a bounded
 * in-process LRU in front of it, so a hot listing is served without a Redis round trip; the local
 * tier obeys the same version, so it is never staler than Redis would be.
 *
 * While the version is unknown (Redis away at boot, connection lost, reconnecting), the cache is
 * bypassed rather than trusted — both tiers. Cache errors never fail a request: it is served from
 * PostgreSQL instead.
 */
@Injectable()
export class PublicResponseCache implements OnModuleInit {
  private readonly logger = new Logger(PublicResponseCache.name);
  private version: number | null = null;
  private readonly local = new Map<string, LocalEntry>();
  private localBytes = 0;

  constructor(
    @Inject(KEY_VALUE_STORE) private readonly store: KeyValueStore,
    @Inject(REDIS_CLIENT) private readonly redis: Redis | null,
  ) {}

  async onModuleInit(): Promise<void> {
    // A lost connection may hide an invalidation: stop trusting the version until it is re-read.
    this.redis?.on('close', () => {
      this.setVersion(null);
    });
    this.redis?.on('ready', () => void this.refreshVersion());
    await this.store.subscribe(
      CHANNEL,
      (message) => {
        const announced = Number(message);
        if (
          Number.isSafeInteger(announced) &&
          (this.version === null || announced > this.version)
        ) {
          this.setVersion(announced);
        }
      },
      () => void this.refreshVersion(),
    );
    await this.refreshVersion();
  }

  private setVersion(version: number | null): void {
    if (version !== this.version) {
      this.local.clear();
      this.localBytes = 0;
    }
    this.version = version;
  }

  private async refreshVersion(): Promise<void> {
    this.setVersion(null);
    try {
      const stored = Number((await this.store.get(VERSION_KEY)) ?? '0');
      // An announcement received meanwhile may already be newer than what was read.
      if (this.version === null || stored > this.version) this.setVersion(stored);
    } catch (error) {
      this.logger.warn(`cache version unavailable, cache bypassed: ${String(error)}`);
    }
  }

  /** The version a request starts under, or null when the cache must be bypassed. */
  currentVersion(): number | null {
    return this.version;
  }

  /** The in-process entry for `key` computed under `version`, if any (no I/O). */
  peek(key: string, version: number): CachedResponse | undefined {
    const entry = this.local.get(key);
    if (entry === undefined) return undefined;
    if (entry.version !== version || entry.expiresAt <= Date.now()) {
      this.forget(key, entry);
      return undefined;
    }
    // Most recently used last: re-insert (Map keeps insertion order).
    this.local.delete(key);
    this.local.set(key, entry);
    return entry;
  }

  /** The entry for `key` under `version`: in-process first, then Redis. */
  async get(key: string, version: number, ttlSeconds: number): Promise<CachedResponse | null> {
    const hit = this.peek(key, version);
    if (hit) return hit;
    try {
      const raw = await this.store.get(redisKeyOf(key));
      const entry = raw === null ? null : parseStored(raw);
      if (entry?.version !== version) return null;
      this.remember(key, version, entry, ttlSeconds);
      return entry;
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
    this.remember(key, version, response, ttlSeconds);
    try {
      await this.store.set(
        redisKeyOf(key),
        `${version} ${response.etag}\n${response.body.toString('utf8')}`,
        ttlSeconds,
      );
    } catch {
      // A failed write only costs a future miss.
    }
  }

  private remember(
    key: string,
    version: number,
    response: CachedResponse,
    ttlSeconds: number,
  ): void {
    // Only under the current version: a response computed before an invalidation is dropped.
    if (version !== this.version || response.body.length > LOCAL_CACHE_LIMITS.bytes / 8) return;
    const previous = this.local.get(key);
    if (previous) this.forget(key, previous);
    this.local.set(key, {
      version,
      etag: response.etag,
      body: response.body,
      expiresAt: Date.now() + ttlSeconds * 1000,
    });
    this.localBytes += response.body.length;
    for (const [oldKey, oldEntry] of this.local) {
      if (
        this.local.size <= LOCAL_CACHE_LIMITS.entries &&
        this.localBytes <= LOCAL_CACHE_LIMITS.bytes
      )
        break;
      this.forget(oldKey, oldEntry);
    }
  }

  private forget(key: string, entry: LocalEntry): void {
    this.local.delete(key);
    this.localBytes -= entry.body.length;
  }

  /** Makes every cached response stale, on every instance. Call after the data has committed. */
  async invalidate(): Promise<void> {
    // Synchronously, so a request that starts after the write can no longer hit an old entry:
    // the cache is bypassed until the new version is known.
    this.setVersion(null);
    try {
      const next = await this.store.incr(VERSION_KEY);
      this.setVersion(next);
      await this.store.publish(CHANNEL, String(next));
    } catch (error) {
      // Entries expire after their TTL; until Redis is back nothing is cached (version unknown).
      this.setVersion(null);
      this.logger.error(`cache invalidation failed: ${String(error)}`);
    }
  }
}

/** Parses a Redis entry `<version> <etag>\n<body>`; anything else (an older format) is a miss. */
function parseStored(raw: string): (CachedResponse & { version: number }) | null {
  const newline = raw.indexOf('\n');
  const space = raw.indexOf(' ');
  if (newline < 0 || space < 0 || space > newline) return null;
  const version = Number(raw.slice(0, space));
  const etag = raw.slice(space + 1, newline);
  if (!Number.isSafeInteger(version) || !/^"[^"]*"$/.test(etag)) return null;
  return { version, etag, body: Buffer.from(raw.slice(newline + 1), 'utf8') };
}
