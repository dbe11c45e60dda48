import { EventEmitter } from 'node:events';
import type { KeyValueStore } from './key-value-store';

interface Entry {
  value: string | Set<string>;
  expiresAt: number;
}

/**
 * In-process stand-in for Redis, for development without a Redis server. Single process only:
 * nothing is shared between instances, which is why production refuses it.
 */
export class MemoryKeyValueStore implements KeyValueStore {
  readonly kind = 'memory';
  private readonly entries = new Map<string, Entry>();
  private readonly bus = new EventEmitter();

  constructor(private readonly now: () => number = Date.now) {}

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  get(key: string): Promise<string | null> {
    const entry = this.live(key);
    return Promise.resolve(typeof entry?.value === 'string' ? entry.value : null);
  }

  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
    return Promise.resolve();
  }

  del(...keys: string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
    return Promise.resolve();
  }

  incr(key: string): Promise<number> {
    const current = this.live(key);
    const next = (typeof current?.value === 'string' ? Number(current.value) : 0) + 1;
    this.entries.set(key, { value: String(next), expiresAt: Number.POSITIVE_INFINITY });
    return Promise.resolve(next);
  }

  incrInWindow(key: string, ttlSeconds: number): Promise<number> {
    const current = this.live(key);
    const next = (typeof current?.value === 'string' ? Number(current.value) : 0) + 1;
    this.entries.set(key, {
      value: String(next),
      expiresAt: current?.expiresAt ?? this.now() + ttlSeconds * 1000,
    });
    return Promise.resolve(next);
  }

  addToSet(key: string, member: string, ttlSeconds: number): Promise<void> {
    const current = this.live(key);
    const set = current?.value instanceof Set ? current.value : new Set<string>();
    set.add(member);
    this.entries.set(key, { value: set, expiresAt: this.now() + ttlSeconds * 1000 });
    return Promise.resolve();
  }

  removeFromSet(key: string, member: string): Promise<void> {
    const current = this.live(key);
    if (current?.value instanceof Set) current.value.delete(member);
    return Promise.resolve();
  }

  setMembers(key: string): Promise<string[]> {
    const current = this.live(key);
    return Promise.resolve(current?.value instanceof Set ? [...current.value] : []);
  }

  publish(channel: string, message: string): Promise<void> {
    this.bus.emit(channel, message);
    return Promise.resolve();
  }

  subscribe(channel: string, onMessage: (message: string) => void): Promise<void> {
    this.bus.on(channel, onMessage);
    return Promise.resolve();
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.bus.removeAllListeners();
    this.entries.clear();
    return Promise.resolve();
  }
}
