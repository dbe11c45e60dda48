import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AuditEventPageSchema,
  ListAuditEventsQuerySchema,
  type AuditEvent,
} from '@storefront/contracts';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEventsQuery } from '../../src/audit/audit-events-query.service';
import { AuditTrail } from '../../src/audit/audit-trail.service';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('GET /api/admin/audit-events over HTTP', () => {
  it('refuses anonymous callers with 401 in the error envelope, whatever the query', async () => {
    for (const path of [
      '/api/admin/audit-events',
      '/api/admin/audit-events?action=staff.role.changed&limit=5',
      "/api/admin/audit-events?actorId=' OR 1=1 --",
    ]) {
      const response = await request(t.app.getHttpServer()).get(path).expect(401);
      expect(response.body).toEqual({
        error: {
          code: 'UNAUTHENTICATED',
          message: expect.any(String),
          requestId: response.headers['x-request-id'],
        },
      });
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it('is documented in the OpenAPI description with its contract', async () => {
    const response = await request(t.app.getHttpServer()).get('/api/openapi.json').expect(200);
    const operation = (
      response.body as {
        paths: Record<
          string,
          Record<string, { parameters: { name: string }[]; responses: object }>
        >;
      }
    ).paths['/api/admin/audit-events']?.get;
    expect(operation?.parameters.map((p) => p.name).sort()).toEqual([
      'action',
      'actorId',
      'actorType',
      'cursor',
      'from',
      'limit',
      'targetId',
      'targetType',
      'to',
    ]);
    expect(Object.keys(operation?.responses ?? {}).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '429',
    ]);
  });
});

describe('audit event query (service, real database)', () => {
  const target = randomUUID();
  const other = randomUUID();
  const admin = randomUUID();
  const support = randomUUID();
  let boundary: string;

  const list = (raw: Record<string, string | string[]>) =>
    t.app.get(AuditEventsQuery).list(ListAuditEventsQuerySchema.parse(raw));

  beforeAll(async () => {
    const trail = t.app.get(AuditTrail);
    const as = (id: string) => ({
      actor: { type: 'staff' as const, id },
      clientAddress: '198.51.100.4',
    });
    await trail.record(as(admin), {
      action: 'staff.account.created',
      target: { type: 'user', id: target },
      details: { roles: ['support'] },
    });
    await sleep(15);
    const second = await trail.record(as(admin), {
      action: 'staff.role.changed',
      target: { type: 'user', id: target },
      details: { added: ['order_manager'], removed: [] },
    });
    boundary = second.occurredAt;
    await trail.record(as(support), {
      action: 'session.revoked',
      target: { type: 'user', id: target },
      details: { scope: 'all', count: 2, reason: 'staff_action' },
    });
    await trail.record(as(admin), {
      action: 'account.disabled',
      target: { type: 'user', id: target },
      details: { kind: 'staff' },
    });
    await trail.record(as(support), {
      action: 'account.disabled',
      target: { type: 'user', id: other },
      details: { kind: 'customer' },
    });
  });

  it('filters by target, newest first, in the response contract, with a pseudonymised client', async () => {
    const page = await list({ targetType: 'user', targetId: target });
    expect(AuditEventPageSchema.parse(page)).toEqual(page);
    expect(page.items.map((e) => e.action)).toEqual([
      'account.disabled',
      'session.revoked',
      'staff.role.changed',
      'staff.account.created',
    ]);
    const seqs = page.items.map((e) => BigInt(e.seq));
    expect([...seqs].sort((a, b) => (a > b ? -1 : 1))).toEqual(seqs);
    expect(page.nextCursor).toBeNull();
    expect(page.items[0]).toMatchObject({
      actor: { type: 'staff', id: admin },
      target: { type: 'user', id: target },
      details: { kind: 'staff' },
    });
    expect(page.items[0]?.client).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(JSON.stringify(page)).not.toContain('198.51.100.4');
  });

  it('filters by action (repeatable) and by actor', async () => {
    const disabled = await list({ action: 'account.disabled', actorId: support });
    expect(disabled.items.map((e) => e.target?.id)).toEqual([other]);
    const two = await list({
      action: ['staff.role.changed', 'session.revoked'],
      targetType: 'user',
      targetId: target,
    });
    expect(two.items.map((e) => e.action)).toEqual(['session.revoked', 'staff.role.changed']);
    const bySupport = await list({ actorType: 'staff', actorId: support });
    expect(bySupport.items.map((e) => e.action)).toEqual(['account.disabled', 'session.revoked']);
  });

  it('filters by time range: from inclusive, to exclusive', async () => {
    const before = await list({ targetType: 'user', targetId: target, to: boundary });
    expect(before.items.map((e) => e.action)).toEqual(['staff.account.created']);
    const after = await list({ targetType: 'user', targetId: target, from: boundary });
    expect(after.items.map((e) => e.action)).toEqual([
      'account.disabled',
      'session.revoked',
      'staff.role.changed',
    ]);
  });

  it('pages with a keyset cursor: no duplicates, no gaps, stable while rows are appended', async () => {
    const seen: AuditEvent[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list({
        targetType: 'user',
        targetId: target,
        limit: '3',
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
      if (pages === 1) {
        // A new event for the same target must not shift the pages being read.
        await t.app.get(AuditTrail).record(
          { actor: { type: 'system', id: 'test' } },
          {
            action: 'account.enabled',
            target: { type: 'user', id: target },
            details: { kind: 'staff' },
          },
        );
      }
    } while (cursor !== null);
    expect(pages).toBe(2);
    expect(seen.map((e) => e.action)).toEqual([
      'account.disabled',
      'session.revoked',
      'staff.role.changed',
      'staff.account.created',
    ]);
  });

  it('rejects malformed filters in the contract (before any SQL)', () => {
    for (const bad of [
      { targetId: target },
      { actorId: 'alice@example.com' },
      { actorId: "' OR 1=1 --" },
      { action: 'auth.login.failed' },
      { cursor: 'abc' },
      { cursor: '0' },
      { limit: '201' },
      { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' },
      { from: 'yesterday' },
      { sort: 'seq' },
    ]) {
      expect(ListAuditEventsQuerySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
