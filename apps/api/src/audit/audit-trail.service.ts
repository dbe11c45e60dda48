import { Inject, Injectable } from '@nestjs/common';
import type { AuditAction } from '@storefront/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { currentRequestId } from '../core/http/request-context';
import {
  AuditActorSchema,
  AuditTargetSchema,
  type AuditContext,
  type AuditTarget,
} from './audit-context';
import { AuditKeyRing, GENESIS_HASH, ISO_UTC_MS, chainHash, type ChainedRow } from './audit-chain';
import { ClientPseudonymiser } from './client-pseudonymiser';
import { SECURITY_EVENTS, type SecurityEventDetails } from './security-event.catalogue';

/** An event to append: a catalogued action, what it is about, and its (validated) details. */
export interface AuditEventInput<A extends AuditAction = AuditAction> {
  action: A;
  target?: AuditTarget | null;
  details: SecurityEventDetails<A>;
}

/** Where an appended row sits in the chain. */
export interface AppendedAuditRow {
  seq: string;
  hash: string;
  occurredAt: string;
}

/**
 * Key of the transaction-scoped advisory lock that serialises appends (an arbitrary constant that
 * no other lock in the application uses). Held from reading the chain's tail to the commit.
 */
export const AUDIT_CHAIN_LOCK_KEY = '4721580934455263';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

const LOCK_SQL = `SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK_KEY})`;

/** The chain's tail and the database clock, read once the lock is held. */
const TAIL_SQL = `
  SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', ${ISO_UTC_MS}) AS now,
         last.seq::text AS seq, last.hash AS hash
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL (SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1) AS last ON true`;

/**
 * Appends events to the hash-chained audit trail.
 *
 * Each row gets the next sequence number and `hash = HMAC(key, canonical(row, prev_hash))`, with
 * the time taken from the database clock, all while holding one advisory lock: appends are
 * strictly serialised, numbers are gapless, and the chain never forks (the primary key on `seq`
 * would refuse a fork anyway). Pass the caller's transactional `EntityManager` so the audit row
 * commits, or rolls back, with the business change it records; record near the end of the use
 * case, since the lock is held until that transaction ends.
 *
 * Nothing personal is stored: actors and targets are identifiers (patterns refuse `@` and spaces),
 * the client address is pseudonymised, and `details` must match the action's strict schema.
 */
@Injectable()
export class AuditTrail {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(AuditKeyRing) private readonly keys: AuditKeyRing,
    @Inject(ClientPseudonymiser) private readonly pseudonymiser: ClientPseudonymiser,
  ) {}

  /**
   * Validates and appends one event. Throws on an invalid actor, target, request id or details (a
   * programming error, never silently dropped) and on any database error.
   */
  async record<A extends AuditAction>(
    ctx: AuditContext,
    event: AuditEventInput<A>,
    manager?: EntityManager,
  ): Promise<AppendedAuditRow> {
    const actor = AuditActorSchema.parse(ctx.actor);
    const target = event.target ? AuditTargetSchema.parse(event.target) : null;
    const details = SECURITY_EVENTS[event.action].details.parse(event.details) as Record<
      string,
      unknown
    >;
    const requestId = ctx.requestId ?? currentRequestId() ?? null;
    if (requestId !== null && !REQUEST_ID.test(requestId)) {
      throw new Error('audit: malformed request id');
    }
    const draft = {
      actorType: actor.type,
      actorId: actor.id,
      action: event.action,
      targetType: target?.type ?? null,
      targetId: target?.id ?? null,
      client: this.pseudonymiser.pseudonymise(ctx.clientAddress),
      requestId,
      details,
    };
    const append = (m: EntityManager) => this.append(m, draft);
    if (manager?.queryRunner?.isTransactionActive) return append(manager);
    return this.dataSource.transaction(append);
  }

  private async append(
    m: EntityManager,
    draft: Omit<ChainedRow, 'seq' | 'occurredAt' | 'keyId' | 'prevHash'>,
  ): Promise<AppendedAuditRow> {
    await m.query(LOCK_SQL);
    const [tail] =
      await m.query<[{ now: string; seq: string | null; hash: string | null }]>(TAIL_SQL);
    const row: ChainedRow = {
      ...draft,
      seq: tail.seq === null ? '1' : (BigInt(tail.seq) + 1n).toString(),
      occurredAt: tail.now,
      keyId: this.keys.currentId,
      prevHash: tail.hash ?? GENESIS_HASH,
    };
    const hash = chainHash(this.keys.current, row);
    await m.query(
      `INSERT INTO audit_log (seq, occurred_at, actor_type, actor_id, action, target_type,
                              target_id, client, request_id, details, key_id, prev_hash, hash)
       VALUES ($1, $2::timestamptz, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13)`,
      [
        row.seq,
        row.occurredAt,
        row.actorType,
        row.actorId,
        row.action,
        row.targetType,
        row.targetId,
        row.client,
        row.requestId,
        JSON.stringify(row.details),
        row.keyId,
        row.prevHash,
        hash,
      ],
    );
    return { seq: row.seq, hash, occurredAt: row.occurredAt };
  }
}
