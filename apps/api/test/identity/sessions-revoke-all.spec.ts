import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../src/config/app-config';
import { sessionsRevokeAll } from '../../src/session/commands/sessions-revoke-all.command';
import { sweepSessions } from '../../src/session/session-sweep';
import { SessionService } from '../../src/session/session.service';
import type { Browser } from '../support/browser';
import {
  signedInCustomer,
  signedInStaff,
  startIdentityWorld,
  type IdentityWorld,
} from './identity-fixture';

let world: IdentityWorld;
let db: DataSource;
/** A client without key prefix: sees the keys as Redis holds them. */
let raw: Redis;
let prefix: string;

beforeAll(async () => {
  world = await startIdentityWorld();
  db = world.t.app.get(DataSource);
  raw = new Redis(inject('testEnv').redisUrl);
  prefix = world.t.config.redis.keyPrefix;
});
afterAll(async () => {
  await raw.quit();
  await world.close();
});

/** Every key under `pattern`, walked with SCAN (the test's own view, independent of the sweep). */
async function keysMatching(pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await raw.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return [...new Set(found)].sort();
}

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await sessionsRevokeAll(world.t.config, argv, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out, err };
}

async function revokedAllRowsAfter(seq: string) {
  return db.query<{ actor_type: string; actor_id: string; details: unknown; target_id: null }[]>(
    `SELECT actor_type, actor_id, details, target_id FROM audit_log
      WHERE action = 'session.revoked_all' AND seq > $1 ORDER BY seq`,
    [seq],
  );
}

async function lastSeq(): Promise<string> {
  const [row] = await db.query<{ seq: string | null }[]>(
    'SELECT max(seq)::text AS seq FROM audit_log',
  );
  return row?.seq ?? '0';
}

const profileStatus = async (browser: Browser) =>
  (await browser.get('/api/account/profile')).status;

describe('cli.js sessions:revoke-all', () => {
  it('refuses unknown arguments and the in-memory store', async () => {
    for (const argv of [['--staff'], ['--staff-only', '--staff-only'], ['everyone']]) {
      const { code, err } = await run(argv);
      expect(code, argv.join(' ')).toBe(64);
      expect(err.join('\n')).toMatch(/usage: sessions:revoke-all \[--staff-only\]/);
    }
    const memory = loadConfig({ NODE_ENV: 'test', DATABASE_URL: inject('testEnv').databaseUrl });
    const err: string[] = [];
    expect(
      await sessionsRevokeAll(memory, [], { out: () => undefined, err: (l) => err.push(l) }),
    ).toBe(1);
    expect(err.join('\n')).toMatch(/needs REDIS_URL/);
  });

  it('ends staff sessions only, then everyone; other apps and other key spaces are untouched', async () => {
    const alice = await signedInCustomer(world);
    const bob = await signedInCustomer(world);
    const staff = await signedInStaff(world, ['administrator']);
    for (const browser of [alice.browser, bob.browser, staff.browser]) {
      expect(await profileStatus(browser)).toBe(200);
    }
    // An anonymous visitor's session (a guest cart, say).
    const visitor = await world.t.app.get(SessionService).create(null, { cartId: 'guest' });

    // Another application on the same Redis (its own prefix, same key names), and keys of this
    // application outside the session namespace.
    const other = `${inject('testEnv').keyPrefix}other-app-${randomBytes(3).toString('hex')}:`;
    const foreign = [
      `${other}session:${randomBytes(8).toString('hex')}`,
      `${other}user-sessions:${staff.id}`,
      `${prefix}public-cache:entry:kept`,
      `${prefix}sessionish:kept`,
    ];
    const staffRecord = JSON.stringify({ userId: staff.id, auth: { kind: 'staff' } });
    for (const key of foreign) await raw.set(key, staffRecord, 'EX', 300);

    // --staff-only: the staff session goes; customers and the visitor stay signed in.
    const staffSessionKeys = await raw.smembers(`${prefix}user-sessions:${staff.id}`);
    expect(staffSessionKeys).toHaveLength(1);
    const before = await lastSeq();
    const staffOnly = await run(['--staff-only']);
    expect(staffOnly).toEqual({ code: 0, out: ['ended 1 staff session'], err: [] });
    expect(await profileStatus(staff.browser)).toBe(401);
    expect(await profileStatus(alice.browser)).toBe(200);
    expect(await profileStatus(bob.browser)).toBe(200);
    expect(await raw.exists(`${prefix}${staffSessionKeys[0] ?? ''}`)).toBe(0);
    expect(await raw.smembers(`${prefix}user-sessions:${staff.id}`)).toEqual([]);
    expect(await revokedAllRowsAfter(before)).toEqual([
      {
        actor_type: 'system',
        actor_id: 'cli:sessions-revoke-all',
        details: { scope: 'staff', count: 1 },
        target_id: null,
      },
    ]);

    // Everyone: every session key of this deployment, whatever it holds, and the user indexes.
    const sessionKeys = await keysMatching(`${prefix}session:*`);
    expect(sessionKeys.length).toBeGreaterThanOrEqual(3);
    const signedIn = await keysMatching(`${prefix}user-sessions:*`);
    expect(signedIn.length).toBeGreaterThanOrEqual(2);
    const middle = await lastSeq();
    const everyone = await run([]);
    expect(everyone.code).toBe(0);
    expect(everyone.out).toEqual([
      expect.stringMatching(
        new RegExp(`^ended ${sessionKeys.length} sessions \\(\\d+ signed in, \\d+ anonymous\\)$`),
      ),
    ]);
    expect(await profileStatus(alice.browser)).toBe(401);
    expect(await profileStatus(bob.browser)).toBe(401);
    expect(await world.t.app.get(SessionService).load(visitor.id)).toBeNull();
    expect(await keysMatching(`${prefix}session:*`)).toEqual([]);
    expect(await keysMatching(`${prefix}user-sessions:*`)).toEqual([]);
    expect(await revokedAllRowsAfter(middle)).toEqual([
      {
        actor_type: 'system',
        actor_id: 'cli:sessions-revoke-all',
        details: { scope: 'everyone', count: sessionKeys.length },
        target_id: null,
      },
    ]);

    for (const key of foreign) expect(await raw.get(key), key).toBe(staffRecord);
    await raw.del(...foreign);
  });

  it('sweeps in batches, counting what it deleted', async () => {
    const sessions = world.t.app.get(SessionService);
    const userId = '0b7d1c1e-9a55-4a83-9d64-4c0c1c5c0a11';
    const created = await Promise.all([
      ...Array.from({ length: 7 }, () => sessions.create()),
      ...Array.from({ length: 4 }, () =>
        sessions.create(
          userId,
          {},
          {
            auth: {
              level: 'full',
              kind: 'customer',
              roles: [],
              authenticatedAt: Date.now(),
              reauthenticatedAt: Date.now(),
            },
          },
        ),
      ),
    ]);
    const client = new Redis(inject('testEnv').redisUrl, { keyPrefix: prefix });
    try {
      expect(await sweepSessions(client, prefix, 'staff', 2)).toEqual({ sessions: 0, signedIn: 0 });
      expect(await sweepSessions(client, prefix, 'everyone', 2)).toEqual({
        sessions: 11,
        signedIn: 4,
      });
    } finally {
      await client.quit();
    }
    for (const session of created) expect(await sessions.load(session.id)).toBeNull();
    expect(await sessions.listForUser(userId)).toEqual([]);
  });
});
