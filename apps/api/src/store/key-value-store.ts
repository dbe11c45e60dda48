/**
 * The small set of Redis operations the application relies on (sessions, caches, versions,
 * pub/sub), behind one interface so development can run without Redis. Production refuses the
 * in-memory implementation at boot. Keys are given without the configured prefix.
 */
export interface KeyValueStore {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  /** Sets `key` to `value`, expiring after `ttlSeconds`. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(...keys: string[]): Promise<void>;
  /** Increments an integer counter (no expiry) and returns the new value. */
  incr(key: string): Promise<number>;
  /**
   * Increments a windowed counter: the first increment starts its `ttlSeconds` window, later ones
   * keep it. Returns the new value (login throttling, per-account and per-IP failure counts).
   */
  incrInWindow(key: string, ttlSeconds: number): Promise<number>;
  /** Adds `member` to a set and (re)sets the set's expiry. */
  addToSet(key: string, member: string, ttlSeconds: number): Promise<void>;
  removeFromSet(key: string, member: string): Promise<void>;
  setMembers(key: string): Promise<string[]>;
  /** Publishes on a channel (prefixed like keys). */
  publish(channel: string, message: string): Promise<void>;
  /** Subscribes to a channel; `onReconnect` runs after a lost connection is back (missed messages). */
  subscribe(
    channel: string,
    onMessage: (message: string) => void,
    onReconnect?: () => void,
  ): Promise<void>;
  /** Resolves when the store answers; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Injection token of the {@link KeyValueStore}. */
export const KEY_VALUE_STORE = Symbol('KEY_VALUE_STORE');
/** Injection token of the raw ioredis client, or null when running on in-memory stand-ins. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
