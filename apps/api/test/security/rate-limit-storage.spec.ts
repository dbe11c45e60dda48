import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { RedisThrottlerStorage } from '../../src/rate-limit/redis-throttler-storage';
import { redisOptions } from '../../src/store/redis-key-value-store';

/**
 * The Redis rate-limit counters, against the real Redis: one script counts all of a request's
 * limits (one round trip), each with its own window, limit and block, and keeps them in one
 * cluster slot per client.
 */

let redis: Redis;
let storage: RedisThrottlerStorage;

beforeAll(async () => {
  const env = inject('testEnv');
  redis = new Redis(env.redisUrl, {
    ...redisOptions(`${env.keyPrefix}limits-${randomBytes(4).toString('hex')}:`),
    enableOfflineQueue: true,
  });
  await redis.connect();
  storage = new RedisThrottlerStorage(redis);
});
afterAll(async () => {
  await redis.quit();
});

/** Counts the commands this client sends to Redis while `work` runs. */
async function commandsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const send = vi.spyOn(redis, 'sendCommand');
  try {
    await work();
    return send.mock.calls.map(([command]) => command.name);
  } finally {
    send.mockRestore();
  }
}

const limit = (client: string, name: string, max: number, ttl = 60_000, block = ttl) => ({
  key: `${client}:${name}`,
  name,
  limit: max,
  ttl,
  blockDuration: block,
});

describe('RedisThrottlerStorage', () => {
  it('counts all of a client’s limits in one script call, each against its own limit', async () => {
    const client = randomBytes(8).toString('base64url');
    // The first call on a connection sends the script's source (EVAL), later ones its SHA.
    await storage.incrementAll([limit(client, 'warm-up', 1)]);
    const counts = [limit(client, 'default', 3), limit(client, 'search', 1, 120_000, 90_000)];
    let first: Awaited<ReturnType<typeof storage.incrementAll>> = [];
    const sent = await commandsDuring(async () => {
      first = await storage.incrementAll(counts);
    });
    expect(sent).toEqual(['evalsha']);
    expect(first).toEqual([
      { totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 },
      { totalHits: 1, timeToExpire: 120, isBlocked: false, timeToBlockExpire: 0 },
    ]);
    const second = await storage.incrementAll(counts);
    expect(second.map((r) => [r.totalHits, r.isBlocked])).toEqual([
      [2, false],
      [2, true],
    ]);
    expect(second[1]?.timeToBlockExpire).toBe(90);
    // Blocked for its block duration, whatever the count does meanwhile.
    const third = await storage.incrementAll(counts);
    expect(third.map((r) => [r.totalHits, r.isBlocked])).toEqual([
      [3, false],
      [3, true],
    ]);
    // Both counters of the client share its hash tag, so one script may touch them in a cluster.
    const keys = await redis.keys(`${String(redis.options.keyPrefix)}rate-limit:*`);
    const ours = keys.filter((key) => key.includes(`{${client}}`));
    expect(ours.length).toBeGreaterThanOrEqual(3);
  });

  it('starts a window on the first hit and keeps it, then lifts a block once it expires', async () => {
    const client = randomBytes(8).toString('base64url');
    const short = [limit(client, 'default', 1, 400, 300)];
    expect((await storage.incrementAll(short))[0]?.isBlocked).toBe(false);
    expect((await storage.incrementAll(short))[0]?.isBlocked).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 450));
    const after = await storage.incrementAll(short);
    expect(after[0]).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('counts different clients one script each (no script spans two cluster slots)', async () => {
    const [a, b] = [randomBytes(8).toString('base64url'), randomBytes(8).toString('base64url')];
    await storage.incrementAll([limit(a, 'warm-up', 1)]);
    let records: Awaited<ReturnType<typeof storage.incrementAll>> = [];
    const sent = await commandsDuring(async () => {
      records = await storage.incrementAll([limit(a, 'default', 5), limit(b, 'default', 5)]);
    });
    expect(sent).toEqual(['evalsha', 'evalsha']);
    expect(records.map((r) => r.totalHits)).toEqual([1, 1]);
  });
});
