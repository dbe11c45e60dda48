import { GENESIS_HASH, ISO_UTC_MS, chainHash, sameHash, type AuditKeyRing } from './audit-chain';

/** Anything that runs a parameterised query: a DataSource, an EntityManager, a QueryRunner. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** A position in the chain, e.g. the head printed by an earlier verification. */
export interface ChainAnchor {
  seq: string;
  hash: string;
}

/** Why verification stopped. */
export type ChainProblem =
  /** Numbers are missing: rows were deleted. */
  | 'gap'
  /** The row does not point at the hash of the row before it: rows were removed, inserted or moved. */
  | 'relinked'
  /** The row's content no longer matches its hash: it was edited (or forged without the key). */
  | 'edited'
  /** The row names a key that is not configured: rotated without AUDIT_HMAC_PREVIOUS_KEYS, or forged. */
  | 'unknown_key'
  /** An anchored row is missing or different: the tail was cut or rewritten. */
  | 'anchor_mismatch';

/** Result of {@link verifyAuditChain}. */
export type ChainVerification =
  | { ok: true; rows: number; head: ChainAnchor | null }
  | { ok: false; rows: number; brokenAt: string; problem: ChainProblem; message: string };

/** Options of {@link verifyAuditChain}. */
export interface VerifyOptions {
  /** Rows read per query (keyset on `seq`). */
  batchSize?: number;
  /** Heads recorded by earlier runs: each must still be in the chain, unchanged. */
  anchors?: readonly ChainAnchor[];
  /**
   * Start after this trusted row instead of at the genesis (after an incident that broke the chain
   * before it, once investigated): the row must be there with this hash, and what follows must
   * chain from it.
   */
  from?: ChainAnchor;
}

interface StoredRow {
  seq: string;
  occurred_at: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  client: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
  key_id: string;
  prev_hash: string;
  hash: string;
}

const START_SQL = `SELECT hash FROM audit_log WHERE seq = $1::bigint`;

const BATCH_SQL = `
  SELECT seq::text AS seq, to_char(occurred_at AT TIME ZONE 'UTC', ${ISO_UTC_MS}) AS occurred_at,
         actor_type, actor_id, action, target_type, target_id, client, request_id, details,
         key_id, prev_hash, hash
    FROM audit_log
   WHERE seq > $1::bigint
   ORDER BY audit_log.seq
   LIMIT $2`;

/**
 * Walks the whole audit chain in `seq` order, in batches, and stops at the first row that breaks
 * it: a missing number (deleted row), a `prev_hash` that is not the previous row's hash (rows
 * removed, inserted or reordered), or a hash that does not match the row (edited). Recomputing a
 * hash needs the HMAC key, which is not in the database, so whoever can write to the database
 * cannot repair the chain after tampering with it.
 *
 * Deleting the newest rows leaves a valid, shorter chain; `anchors` (heads printed by earlier
 * runs and kept outside the database) catch that.
 */
export async function verifyAuditChain(
  db: Queryable,
  keys: AuditKeyRing,
  options: VerifyOptions = {},
): Promise<ChainVerification> {
  const batchSize = options.batchSize ?? 1_000;
  const anchors = new Map((options.anchors ?? []).map((a) => [a.seq, a.hash]));
  let expected = options.from ? BigInt(options.from.seq) + 1n : 1n;
  let prevHash = options.from?.hash ?? GENESIS_HASH;
  let rows = 0;
  let last: ChainAnchor | null = null;
  const fail = (brokenAt: string, problem: ChainProblem, message: string): ChainVerification => ({
    ok: false,
    rows,
    brokenAt,
    problem,
    message,
  });

  if (options.from) {
    const [start] = (await db.query(START_SQL, [options.from.seq])) as { hash: string }[];
    if (!start || !sameHash(start.hash, options.from.hash)) {
      return fail(options.from.seq, 'anchor_mismatch', 'the starting row is missing or different');
    }
  }
  for (;;) {
    const after = last?.seq ?? options.from?.seq ?? '0';
    const batch = (await db.query(BATCH_SQL, [after, batchSize])) as StoredRow[];
    for (const row of batch) {
      if (BigInt(row.seq) !== expected) {
        return fail(
          expected.toString(),
          'gap',
          `rows ${expected.toString()}..${(BigInt(row.seq) - 1n).toString()} are missing`,
        );
      }
      if (!sameHash(row.prev_hash, prevHash)) {
        return fail(row.seq, 'relinked', 'prev_hash is not the hash of the previous row');
      }
      const key = keys.keyFor(row.key_id);
      if (!key) return fail(row.seq, 'unknown_key', `key ${row.key_id} is not configured`);
      const hash = chainHash(key, {
        seq: row.seq,
        occurredAt: row.occurred_at,
        actorType: row.actor_type,
        actorId: row.actor_id,
        action: row.action,
        targetType: row.target_type,
        targetId: row.target_id,
        client: row.client,
        requestId: row.request_id,
        details: row.details,
        keyId: row.key_id,
        prevHash: row.prev_hash,
      });
      if (!sameHash(hash, row.hash)) {
        return fail(row.seq, 'edited', 'the row does not match its hash');
      }
      const anchored = anchors.get(row.seq);
      if (anchored !== undefined) {
        if (!sameHash(anchored, row.hash)) {
          return fail(row.seq, 'anchor_mismatch', 'the row differs from the anchored one');
        }
        anchors.delete(row.seq);
      }
      rows += 1;
      expected += 1n;
      prevHash = row.hash;
      last = { seq: row.seq, hash: row.hash };
    }
    if (batch.length < batchSize) break;
  }
  const [missing] = anchors.keys();
  if (missing !== undefined) {
    return fail(missing, 'anchor_mismatch', `anchored row ${missing} is no longer in the chain`);
  }
  return { ok: true, rows, head: last };
}
