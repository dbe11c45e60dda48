import type { ThrottlerStorage } from '@nestjs/throttler';

/** What a storage answers for one counted limit (`@nestjs/throttler`'s record). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** One limit to count a request against: the arguments of `ThrottlerStorage.increment`. */
export interface LimitCount {
  /** `<client hash>:<limit name>`, from the guard's `generateKey`. */
  key: string;
  /** Window, in ms. */
  ttl: number;
  limit: number;
  /** How long a client over the limit stays refused, in ms. */
  blockDuration: number;
  /** The limit's name (`default`, `search`, …). */
  name: string;
}

/** A throttler storage that counts one request against several limits at once. */
export interface LimitCounter {
  /** Counts each limit once; the records come back in the order of `counts`. */
  incrementAll(counts: readonly LimitCount[]): Promise<ThrottlerStorageRecord[]>;
}

/** Counts several limits with any throttler storage: with its own batch call if it has one. */
export function incrementAll(
  storage: ThrottlerStorage & Partial<LimitCounter>,
  counts: readonly LimitCount[],
): Promise<ThrottlerStorageRecord[]> {
  if (storage.incrementAll) return storage.incrementAll(counts);
  return Promise.all(
    counts.map(({ key, ttl, limit, blockDuration, name }) =>
      storage.increment(key, ttl, limit, blockDuration, name),
    ),
  );
}

/** `ThrottlerStorage.increment` for a {@link LimitCounter}: one limit, counted as a batch of one. */
export async function incrementOne(
  counter: LimitCounter,
  ...[key, ttl, limit, blockDuration, name]: Parameters<ThrottlerStorage['increment']>
): Promise<ThrottlerStorageRecord> {
  const [record] = await counter.incrementAll([{ key, ttl, limit, blockDuration, name }]);
  if (!record) throw new Error('rate-limit storage returned no count');
  return record;
}
