import type { Redis } from 'ioredis';
import { SESSION_KEYS, type SessionRecord } from './session.service';

/** Which sessions {@link sweepSessions} ends. */
export type SweepScope = 'everyone' | 'staff';

/** What {@link sweepSessions} did. */
export interface SweepResult {
  /** Session records deleted. */
  sessions: number;
  /** Of those, sessions with a signed-in (or half signed-in) user. */
  signedIn: number;
}

/** Keys asked of each SCAN step and deleted per round trip. */
export const SWEEP_BATCH_SIZE = 500;

/** Escapes the glob characters of a SCAN MATCH pattern. */
function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * Ends sessions in bulk, straight in Redis: every session (`everyone`) or every session signed in
 * to a staff account (`staff`, whatever its factor state). It walks the keys with SCAN under
 * this deployment's prefix (`<REDIS_KEY_PREFIX>session:*`) in batches of
 * {@link SWEEP_BATCH_SIZE} — never KEYS, which blocks Redis, and never FLUSHDB: other key spaces
 * (rate limits, the public cache, queues, another application sharing the server) are untouched.
 * Each batch is read (MGET), filtered, and UNLINKed with its entries in the users' session
 * indexes; for `everyone` the indexes themselves are then deleted too.
 *
 * SCAN returns every key that exists for the whole walk; a session created while the sweep runs
 * may survive it (run it again after the cause is closed). `client` is the application's ioredis
 * client, whose `keyPrefix` applies to every command but not to SCAN's pattern or results.
 */
export async function sweepSessions(
  client: Redis,
  keyPrefix: string,
  scope: SweepScope,
  batchSize = SWEEP_BATCH_SIZE,
): Promise<SweepResult> {
  const result: SweepResult = { sessions: 0, signedIn: 0 };
  await scanInBatches(client, keyPrefix, SESSION_KEYS.session, batchSize, async (keys) => {
    const raws = await client.mget(...keys);
    const doomed: string[] = [];
    const indexEntries: [indexKey: string, sessionKey: string][] = [];
    let signedIn = 0;
    keys.forEach((key, i) => {
      const raw = raws[i];
      if (raw === null || raw === undefined) return; // expired since the SCAN
      let record: Partial<SessionRecord> | null = null;
      try {
        record = JSON.parse(raw) as Partial<SessionRecord>;
      } catch {
        // Not a record this application wrote: only `everyone` removes it.
      }
      if (scope === 'staff' && record?.auth?.kind !== 'staff') return;
      doomed.push(key);
      if (typeof record?.userId === 'string') {
        signedIn += 1;
        indexEntries.push([`${SESSION_KEYS.userIndex}${record.userId}`, key]);
      }
    });
    if (doomed.length === 0) return;
    const batch = client.multi().unlink(...doomed);
    for (const [indexKey, sessionKey] of indexEntries) batch.srem(indexKey, sessionKey);
    const replies = await batch.exec();
    const [error, removed] = replies?.[0] ?? [new Error('transaction aborted'), 0];
    if (error) throw error;
    result.sessions += Number(removed);
    result.signedIn += signedIn;
  });
  if (scope === 'everyone') {
    await scanInBatches(client, keyPrefix, SESSION_KEYS.userIndex, batchSize, async (keys) => {
      await client.unlink(...keys);
    });
  }
  return result;
}

/** Runs `handle` on each SCAN batch of keys starting with `namespace`, given without the prefix. */
async function scanInBatches(
  client: Redis,
  keyPrefix: string,
  namespace: string,
  batchSize: number,
  handle: (keys: string[]) => Promise<void>,
): Promise<void> {
  const full = keyPrefix + namespace;
  let cursor = '0';
  do {
    const [next, found] = await client.scan(
      cursor,
      'MATCH',
      `${globLiteral(full)}*`,
      'COUNT',
      batchSize,
    );
    cursor = next;
    // The pattern already matches the prefix; the check makes sure nothing else is ever touched.
    const keys = found
      .filter((key) => key.startsWith(full))
      .map((key) => key.slice(keyPrefix.length));
    if (keys.length > 0) await handle(keys);
  } while (cursor !== '0');
}
