import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCreate } from '../../src/identity/commands/admin-create.command';
import { createScratchDatabase, type ScratchDatabase } from '../audit/scratch-database';

let db: ScratchDatabase;

beforeAll(async () => {
  db = await createScratchDatabase({
    env: {
      REDIS_URL: inject('testEnv').redisUrl,
      REDIS_KEY_PREFIX: `${inject('testEnv').keyPrefix}admin-create:`,
      MAIL_WORKER: 'off',
    },
  });
});
afterAll(async () => {
  await db.drop();
});

describe('npm run admin:create (one-time bootstrap of the first administrator)', () => {
  it('refuses a missing or malformed address', async () => {
    const out: string[] = [];
    expect(await adminCreate(db.config, [], (l) => out.push(l))).toBe(64);
    expect(await adminCreate(db.config, ['--email', 'not an email'], (l) => out.push(l))).toBe(64);
  });

  it('creates one administrator with no password and prints a single-use link, then refuses', async () => {
    const out: string[] = [];
    expect(await adminCreate(db.config, ['--email', 'root@example.test'], (l) => out.push(l))).toBe(
      0,
    );
    expect(out.join('\n')).toMatch(/\/admin\/accept-invitation#token=[A-Za-z0-9_-]{43}/);
    const rows = await db.owner.query<Array<{ password_hash: string | null; role: string }>>(
      `SELECT u.password_hash, r.role FROM users u JOIN user_roles r ON r.user_id = u.id`,
    );
    expect(rows).toEqual([{ password_hash: null, role: 'administrator' }]);
    const again: string[] = [];
    expect(
      await adminCreate(db.config, ['--email', 'second@example.test'], (l) => again.push(l)),
    ).toBe(1);
    expect(again.join('\n')).toMatch(/refused/);
    expect(await db.owner.query(`SELECT 1 FROM users`)).toHaveLength(1);
  });
});
