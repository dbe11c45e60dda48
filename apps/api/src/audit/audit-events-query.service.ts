import { Inject, Injectable } from '@nestjs/common';
import {
  AUDIT_PAGE_SIZE,
  type AuditActorType,
  type AuditEvent,
  type AuditEventPage,
  type ListAuditEventsQuery,
} from '@storefront/contracts';
import { DataSource } from 'typeorm';
import { ISO_UTC_MS } from './audit-chain';

interface EventRow {
  seq: string;
  occurred_at: string;
  actor_type: AuditActorType;
  actor_id: string | null;
  action: AuditEvent['action'];
  target_type: string | null;
  target_id: string | null;
  client: string | null;
  request_id: string | null;
  details: AuditEvent['details'];
}

/** Fixed SQL fragments, one per filter; values only ever travel as bind parameters. */
const FILTERS = {
  cursor: 'seq < $n::bigint',
  action: 'action = ANY($n::text[])',
  actorType: 'actor_type = $n',
  actorId: 'actor_id = $n',
  targetType: 'target_type = $n',
  targetId: 'target_id = $n',
  from: 'occurred_at >= $n::timestamptz',
  to: 'occurred_at < $n::timestamptz',
} as const;

const SELECT = `
  SELECT seq::text AS seq, to_char(occurred_at AT TIME ZONE 'UTC', ${ISO_UTC_MS}) AS occurred_at,
         actor_type, actor_id, action, target_type, target_id, client, request_id, details
    FROM audit_log`;

/**
 * Reads the audit trail for staff holding `audit:read`: filters by action, actor, target and time
 * range, newest first, keyset pagination on the sequence number (stable while rows are appended).
 * Read-only: the trail is never changed through the API.
 */
@Injectable()
export class AuditEventsQuery {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** One page of events matching the (already validated) query. */
  async list(query: ListAuditEventsQuery): Promise<AuditEventPage> {
    const limit = query.limit ?? AUDIT_PAGE_SIZE.default;
    const values: unknown[] = [];
    const conditions: string[] = [];
    const add = (filter: keyof typeof FILTERS, value: unknown) => {
      values.push(value);
      conditions.push(FILTERS[filter].replace('$n', `$${values.length}`));
    };
    if (query.cursor !== undefined) add('cursor', query.cursor);
    if (query.action !== undefined) add('action', query.action);
    if (query.actorType !== undefined) add('actorType', query.actorType);
    if (query.actorId !== undefined) add('actorId', query.actorId);
    if (query.targetType !== undefined) add('targetType', query.targetType);
    if (query.targetId !== undefined) add('targetId', query.targetId);
    if (query.from !== undefined) add('from', query.from);
    if (query.to !== undefined) add('to', query.to);
    values.push(limit + 1);
    const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
    const sql = `${SELECT}${where} ORDER BY audit_log.seq DESC LIMIT $${values.length}`;
    const rows = await this.dataSource.query<EventRow[]>(sql, values);
    const page = rows.slice(0, limit);
    return {
      items: page.map(toEvent),
      nextCursor: rows.length > limit ? (page.at(-1)?.seq ?? null) : null,
    };
  }
}

function toEvent(row: EventRow): AuditEvent {
  return {
    seq: row.seq,
    occurredAt: row.occurred_at,
    actor: { type: row.actor_type, id: row.actor_id },
    action: row.action,
    target:
      row.target_type !== null && row.target_id !== null
        ? { type: row.target_type, id: row.target_id }
        : null,
    client: row.client,
    requestId: row.request_id,
    details: row.details,
  };
}
