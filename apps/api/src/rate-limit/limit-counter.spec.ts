import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../core/errors/domain-error';
import { incrementAll, type LimitCount } from './limit-counter';
import { ResilientThrottlerStorage } from './resilient-throttler-storage';

const limit = (name: string, max: number): LimitCount => ({
  key: `client:${name}`,
  name,
  limit: max,
  ttl: 60_000,
  blockDuration: 60_000,
});

/** Redis away: every count fails, as ioredis does with its offline queue disabled. */
const unreachable: ThrottlerStorage = {
  increment: () =>
    Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false")),
};

let memory: ThrottlerStorageService | undefined;
afterEach(() => {
  memory?.onApplicationShutdown();
  memory = undefined;
});

describe('incrementAll', () => {
  it('counts each limit with a storage that counts one at a time (development, in memory)', async () => {
    memory = new ThrottlerStorageService();
    const counts = [limit('default', 5), limit('search', 1)];
    await incrementAll(memory, counts);
    const second = await incrementAll(memory, counts);
    expect(second.map((r) => [r.totalHits, r.isBlocked])).toEqual([
      [2, false],
      [2, true],
    ]);
  });
});

describe('ResilientThrottlerStorage, while Redis is unreachable', () => {
  it('lets catalogue reads through uncounted (default and search fail open)', async () => {
    const storage = new ResilientThrottlerStorage(unreachable);
    const records = await storage.incrementAll([limit('default', 1), limit('search', 1)]);
    expect(records.map((r) => r.isBlocked)).toEqual([false, false]);
  });

  it('refuses with 503 when any limit of the request must fail closed', async () => {
    const storage = new ResilientThrottlerStorage(unreachable);
    for (const closed of ['auth', 'checkout', 'csp-report']) {
      await expect(
        storage.incrementAll([limit('default', 1), limit(closed, 1)]),
      ).rejects.toBeInstanceOf(DomainError);
    }
  });
});
