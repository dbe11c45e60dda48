import { createHmac, timingSafeEqual } from 'node:crypto';

/** SQL rendering of a timestamptz as ISO 8601 UTC with milliseconds (the chain's time format). */
export const ISO_UTC_MS = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** `prev_hash` of the first row of the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** Version tag of the canonical encoding, hashed into every row (a new encoding gets a new tag). */
const ENCODING = 'storefront-audit-v1';

/** The columns of an audit row that its hash covers (every column but `hash` itself). */
export interface ChainedRow {
  seq: string;
  /** ISO 8601 UTC with milliseconds, as PostgreSQL renders it in the chain's queries. */
  occurredAt: string;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  client: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
  keyId: string;
  prevHash: string;
}

/** JSON with object keys sorted at every depth: one text for one value, whatever the key order
 * PostgreSQL's `jsonb` hands back. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The canonical encoding of a row: a JSON array in a fixed order, so no two different rows share
 * an encoding (JSON escapes separate the fields unambiguously) and the previous hash is part of it.
 */
export function canonicalRow(row: ChainedRow): string {
  return JSON.stringify([
    ENCODING,
    row.seq,
    row.occurredAt,
    row.actorType,
    row.actorId,
    row.action,
    row.targetType,
    row.targetId,
    row.client,
    row.requestId,
    canonicalJson(row.details),
    row.keyId,
    row.prevHash,
  ]);
}

/** HMAC-SHA-256 of the row's canonical encoding, as 64 hex characters. */
export function chainHash(key: Buffer, row: ChainedRow): string {
  return createHmac('sha256', key).update(canonicalRow(row)).digest('hex');
}

/** Compares two hex hashes in constant time. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Public fingerprint of a chain key, stored in each row so verification knows which key to use. */
export function keyIdOf(key: Buffer): string {
  return createHmac('sha256', key).update('storefront-audit-key-id').digest('hex').slice(0, 16);
}

/**
 * The chain keys: the current one signs new rows; earlier ones (after a rotation) still verify the
 * rows they signed. The keys come from configuration (a secret), never from the database, so
 * somebody able to write to the database cannot recompute the chain after editing a row.
 */
export class AuditKeyRing {
  /** Key id of the current key. */
  readonly currentId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(current: string, previous: readonly string[] = []) {
    const currentKey = Buffer.from(current, 'utf8');
    this.currentId = keyIdOf(currentKey);
    this.keys.set(this.currentId, currentKey);
    for (const old of previous) {
      const key = Buffer.from(old, 'utf8');
      this.keys.set(keyIdOf(key), key);
    }
  }

  /** The current signing key. */
  get current(): Buffer {
    return this.keys.get(this.currentId) as Buffer;
  }

  /** The key with this id, if configured. */
  keyFor(keyId: string): Buffer | undefined {
    return this.keys.get(keyId);
  }
}
