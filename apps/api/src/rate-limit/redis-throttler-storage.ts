import type { ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import {
  incrementOne,
  type LimitCount,
  type LimitCounter,
  type ThrottlerStorageRecord,
} from './limit-counter';

/**
 * Fixed-window counters and their block flags, updated atomically, any number in one call.
 * KEYS: for each limit, its hits key then its blocked key. ARGV: for each limit, window ms, limit,
 * block ms. Returns, for each limit in order: hits, window ms left, blocked (0/1), block ms left.
 */
const COUNT_SCRIPT = `
local result = {}
for i = 1, #KEYS / 2 do
  local hitsKey, blockedKey = KEYS[2 * i - 1], KEYS[2 * i]
  local window, limit, block = tonumber(ARGV[3 * i - 2]), tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i])
  local hits = redis.call('INCR', hitsKey)
  local windowLeft = redis.call('PTTL', hitsKey)
  if windowLeft <= 0 then
    redis.call('PEXPIRE', hitsKey, window)
    windowLeft = window
  end
  local blocked, blockLeft = 1, redis.call('PTTL', blockedKey)
  if blockLeft <= 0 then
    if hits > limit then
      redis.call('SET', blockedKey, '1', 'PX', block)
      blockLeft = block
    else
      blocked, blockLeft = 0, 0
    end
  end
  result[#result + 1] = hits
  result[#result + 1] = windowLeft
  result[#result + 1] = blocked
  result[#result + 1] = blockLeft
end
return result
`;

interface CountCommand {
  /** Defined without a fixed key count: the first argument is the number of keys. */
  storefrontCountLimits(keyCount: number, ...keysThenArgs: (string | number)[]): Promise<number[]>;
}

/**
 * The Redis keys of a counter. A key from the guard is `<client hash>:<limit name>`; the client
 * part is the hash tag, so all of one client's counters live in one cluster slot and can be
 * counted by one script.
 */
function keysOf(key: string): { tag: string; hits: string; blocked: string } {
  const colon = key.indexOf(':');
  const tag = colon < 0 ? key : key.slice(0, colon);
  const base = `rate-limit:{${tag}}${colon < 0 ? '' : key.slice(colon)}`;
  return { tag, hits: `${base}:hits`, blocked: `${base}:blocked` };
}

/**
 * Rate-limit counters in Redis, shared by every instance. A request's limits (the default, and a
 * named one such as `search`) are counted by one Lua script in one round trip. The script is
 * registered once and run by its SHA (`EVALSHA`, with ioredis falling back to `EVAL` after a Redis
 * restart), so a request sends a few dozen bytes rather than the script's source.
 */
export class RedisThrottlerStorage implements ThrottlerStorage, LimitCounter {
  private readonly redis: Redis & CountCommand;

  constructor(redis: Redis) {
    if (!('storefrontCountLimits' in redis)) {
      redis.defineCommand('storefrontCountLimits', { lua: COUNT_SCRIPT });
    }
    this.redis = redis as Redis & CountCommand;
  }

  increment(...args: Parameters<ThrottlerStorage['increment']>): Promise<ThrottlerStorageRecord> {
    return incrementOne(this, ...args);
  }

  async incrementAll(counts: readonly LimitCount[]): Promise<ThrottlerStorageRecord[]> {
    const keys = counts.map((count) => keysOf(count.key));
    // One script may only touch one cluster slot: counters of different clients go one by one.
    if (keys.some((k) => k.tag !== keys[0]?.tag)) {
      return (await Promise.all(counts.map((count) => this.incrementAll([count])))).flat();
    }
    const reply = await this.redis.storefrontCountLimits(
      keys.length * 2,
      ...keys.flatMap((k) => [k.hits, k.blocked]),
      ...counts.flatMap((c) => [c.ttl, c.limit, c.blockDuration]),
    );
    if (reply.length !== counts.length * 4) {
      throw new Error(`rate-limit script returned ${reply.length} values for ${counts.length}`);
    }
    return counts.map((_, i) => {
      const [hits = 0, windowLeft = 0, blocked = 0, blockLeft = 0] = reply.slice(i * 4, i * 4 + 4);
      return {
        totalHits: hits,
        timeToExpire: Math.ceil(windowLeft / 1000),
        isBlocked: blocked === 1,
        timeToBlockExpire: Math.ceil(blockLeft / 1000),
      };
    });
  }
}
