import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditKeyRing } from '../../src/audit/audit-chain';
import { verifyAuditChain } from '../../src/audit/audit-chain-verifier';
import type { AuditContext } from '../../src/audit/audit-context';
import { ClientPseudonymiser } from '../../src/audit/client-pseudonymiser';
import { SECURITY_EVENTS, type SecurityEventName } from '../../src/audit/security-event.catalogue';
import { SecurityEvents } from '../../src/audit/security-events.service';
import { SessionService } from '../../src/session/session.service';
import { startTestApp, type TestApp } from '../support/test-app';
import { TestRoutesModule } from '../support/test-routes.module';
import { captureLog, type CapturedLog } from './log-capture';

let t: TestApp;
let log: CapturedLog;
let events: SecurityEvents;
let db: DataSource;

beforeAll(async () => {
  log = captureLog();
  t = await startTestApp({ logger: log.logger, extraImports: [TestRoutesModule] });
  events = t.app.get(SecurityEvents);
  db = t.app.get(DataSource);
});
afterAll(async () => {
  await t.close();
});

const CLIENT = '203.0.113.9';
const requestId = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;
const linesFor = (id: string) => log.lines().filter((line) => line.requestId === id);
const securityLines = () => log.lines().filter((line) => typeof line.securityEvent === 'string');

describe('security events', () => {
  const names = Object.keys(SECURITY_EVENTS) as SecurityEventName[];

  it.each(names)(
    '%s: one JSON line with who/what/when/where and the request id; an audit row only when audited',
    async (name) => {
      const definition = SECURITY_EVENTS[name];
      const ctx: AuditContext = {
        actor: { type: 'staff', id: randomUUID() },
        requestId: requestId('evt'),
        clientAddress: CLIENT,
      };
      const target = { type: 'user', id: randomUUID() };
      await events.emit(ctx, { name, target, details: definition.example as never });

      const lines = linesFor(ctx.requestId as string);
      expect(lines).toHaveLength(1);
      const line = lines[0]!;
      expect(line).toMatchObject({
        msg: 'security event',
        securityEvent: name,
        outcome: definition.outcome,
        level: definition.outcome === 'failure' ? 40 : 30,
        actor: ctx.actor,
        target,
        client: t.app.get(ClientPseudonymiser).pseudonymise(CLIENT),
        details: definition.example,
      });
      expect(line.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(JSON.stringify(line)).not.toContain(CLIENT);

      const rows = await db.query<{ action: string; target_id: string; actor_id: string }[]>(
        'SELECT action, target_id, actor_id FROM audit_log WHERE request_id = $1',
        [ctx.requestId],
      );
      expect(rows).toEqual(
        definition.audit ? [{ action: name, target_id: target.id, actor_id: ctx.actor.id }] : [],
      );
    },
  );

  it('refuses personal data or a line break anywhere in an event, before writing anything', async () => {
    const id = requestId('pii');
    const ctx: AuditContext = { actor: { type: 'anonymous', id: null }, requestId: id };
    await expect(
      events.emit(ctx, {
        name: 'auth.login.failed',
        details: { method: 'password', reason: 'alice@example.com' } as never,
      }),
    ).rejects.toThrow();
    await expect(
      events.emit(ctx, {
        name: 'auth.login.failed',
        target: { type: 'user', id: 'x\n{"securityEvent":"forged"}' },
        details: { method: 'password', reason: 'invalid_credentials' },
      }),
    ).rejects.toThrow();
    await expect(
      events.emit(
        { actor: { type: 'customer', id: 'alice@example.com' }, requestId: id },
        { name: 'account.registered', details: {} },
      ),
    ).rejects.toThrow();
    await expect(
      events.emit(
        { ...ctx, requestId: 'bad\nrequest-id' },
        { name: 'account.registered', details: {} },
      ),
    ).rejects.toThrow();
    expect(linesFor(id)).toEqual([]);
    expect(log.text()).not.toContain('alice@example.com');
    expect(log.text()).not.toContain('forged');
  });

  it('report() (for refusal paths) never throws: invalid input becomes an error line naming the event only', () => {
    const before = log.lines().length;
    expect(() => {
      events.report(
        { actor: { type: 'anonymous', id: null } },
        { name: 'csrf.rejected', details: { reason: 'alice@example.com', route: 'X.y' } as never },
      );
    }).not.toThrow();
    const added = log.lines().slice(before);
    expect(added).toEqual([
      expect.objectContaining({
        level: 50,
        securityEvent: 'csrf.rejected',
        invalidSecurityEvent: true,
      }),
    ]);
    expect(log.text()).not.toContain('alice@example.com');
  });

  it("fails the caller and logs an error line when the audit row cannot be written (caller's transaction aborted)", async () => {
    const id = requestId('abort');
    await expect(
      db.transaction(async (manager) => {
        await manager.query('SELECT 1 / 0').catch(() => undefined);
        await events.emit(
          { actor: { type: 'system', id: 'test' }, requestId: id },
          {
            name: 'account.disabled',
            target: { type: 'user', id: randomUUID() },
            details: { kind: 'customer' },
          },
          manager,
        );
      }),
    ).rejects.toThrow(/aborted/);
    expect(log.lines()).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: 'audit trail write failed',
        securityEvent: 'account.disabled',
        auditWriteFailed: true,
      }),
    );
    expect(await db.query('SELECT 1 FROM audit_log WHERE request_id = $1', [id])).toEqual([]);
  });
});

describe('access.denied from the access guard', () => {
  it('logs an unauthenticated call to a route that needs a permission, with the response request id', async () => {
    const response = await request(t.app.getHttpServer())
      .get('/api/admin/audit-events')
      .set('X-Request-Id', requestId('denied'))
      .expect(401);
    const id = response.headers['x-request-id'] as string;
    const denied = linesFor(id).filter((l) => l.securityEvent === 'access.denied');
    expect(denied).toEqual([
      expect.objectContaining({
        level: 40,
        outcome: 'failure',
        actor: { type: 'anonymous', id: null },
        details: {
          reason: 'unauthenticated',
          route: 'AuditEventsController.list',
          required: ['audit:read'],
        },
      }),
    ]);
    expect(denied[0]?.client).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(JSON.stringify(denied[0])).not.toMatch(/127\.0\.0\.1|::1/);
  });

  it('logs a route that declares no access rule (refused as a server error)', async () => {
    const response = await request(t.app.getHttpServer()).get('/api/test/undeclared').expect(500);
    const id = response.headers['x-request-id'] as string;
    expect(linesFor(id).filter((l) => l.securityEvent === 'access.denied')).toEqual([
      expect.objectContaining({
        details: { reason: 'undeclared', route: 'TestRoutesController.undeclared', required: [] },
      }),
    ]);
  });

  it('logs nothing for public routes', async () => {
    const response = await request(t.app.getHttpServer()).get('/api/health/live').expect(200);
    expect(
      linesFor(response.headers['x-request-id'] as string).filter((l) => l.securityEvent),
    ).toEqual([]);
  });
});

describe('session.revoked from the session service', () => {
  const revokedLinesFor = (userId: string) =>
    securityLines().filter(
      (l) =>
        l.securityEvent === 'session.revoked' &&
        (l.target as { id?: string } | null)?.id === userId,
    );
  const auditRowsFor = (userId: string) =>
    db.query<
      { actor_type: string; actor_id: string | null; details: unknown; request_id: string | null }[]
    >(
      `SELECT actor_type, actor_id, details, request_id FROM audit_log
        WHERE action = 'session.revoked' AND target_id = $1 ORDER BY audit_log.seq`,
      [userId],
    );

  it('reports a logout and a revoke-all with the caller context, and audits both', async () => {
    const sessions = t.app.get(SessionService);
    const userId = randomUUID();
    const [a] = await Promise.all([
      sessions.create(userId),
      sessions.create(userId),
      sessions.create(userId),
    ]);
    const ctx: AuditContext = {
      actor: { type: 'customer', id: userId },
      requestId: requestId('logout'),
      clientAddress: CLIENT,
    };
    await sessions.destroy(a, { ctx, reason: 'logout' });
    await sessions.destroyAllForUser(userId, {
      ctx: { ...ctx, requestId: requestId('reset') },
      reason: 'password_reset',
    });

    expect(revokedLinesFor(userId).map((l) => l.details)).toEqual([
      { scope: 'one', count: 1, reason: 'logout' },
      { scope: 'all', count: 2, reason: 'password_reset' },
    ]);
    const rows = await auditRowsFor(userId);
    expect(rows.map((r) => r.details)).toEqual([
      { scope: 'one', count: 1, reason: 'logout' },
      { scope: 'all', count: 2, reason: 'password_reset' },
    ]);
    expect(rows[0]).toMatchObject({
      actor_type: 'customer',
      actor_id: userId,
      request_id: ctx.requestId,
    });
  });

  it('does not report a rotation, an anonymous session, or a revoke-all with nothing to revoke', async () => {
    const sessions = t.app.get(SessionService);
    const userId = randomUUID();
    const signedIn = await sessions.create(userId);
    await sessions.rotate(signedIn);
    await sessions.destroy(await sessions.create());
    const nobody = randomUUID();
    expect(await sessions.destroyAllForUser(nobody)).toBe(0);
    expect(revokedLinesFor(userId)).toEqual([]);
    expect(revokedLinesFor(nobody)).toEqual([]);
    expect(await auditRowsFor(userId)).toEqual([]);
  });
});

describe('the shared audit chain of this run', () => {
  it('verifies after every append the application made (with its own keys)', async () => {
    const result = await verifyAuditChain(db, t.app.get(AuditKeyRing));
    expect(result.ok).toBe(true);
  });
});
