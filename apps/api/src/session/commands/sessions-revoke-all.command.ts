import type { Redis } from 'ioredis';
import { createApp } from '../../app.factory';
import { systemActor } from '../../audit/audit-context';
import { SecurityEvents } from '../../audit/security-events.service';
import type { AppConfig } from '../../config/app-config';
import { REDIS_CLIENT } from '../../store/key-value-store';
import { sweepSessions, type SweepScope } from '../session-sweep';

export const SESSIONS_REVOKE_ALL_USAGE = 'usage: sessions:revoke-all [--staff-only]';

/**
 * `node apps/api/dist/cli.js sessions:revoke-all [--staff-only]`: signs everybody out at once —
 * every session of this deployment (customers, staff and anonymous visitors alike, so a guest's
 * session state goes too), or with `--staff-only` every session of a staff account. The incident
 * step of docs/runbooks/leaked-secret-or-key.md (Redis writable by someone, mass cookie theft, a
 * compromised back-office device). Sessions are deleted in Redis under `REDIS_KEY_PREFIX` by
 * {@link sweepSessions}; the next request of each cookie answers 401 (or starts a fresh anonymous
 * session). Recorded as one `session.revoked_all` audit event with the count, by the system actor
 * `cli:sessions-revoke-all`. Needs `REDIS_URL`: with the in-memory store, sessions live in the
 * API process and no other process can reach them.
 */
export async function sessionsRevokeAll(
  config: AppConfig,
  argv: readonly string[],
  io: { out: (line: string) => void; err: (line: string) => void },
): Promise<number> {
  const unknown = argv.find((arg) => arg !== '--staff-only');
  if (unknown !== undefined || argv.length > 1) {
    io.err(unknown === undefined ? 'give --staff-only once' : `unexpected argument: ${unknown}`);
    io.err(SESSIONS_REVOKE_ALL_USAGE);
    return 64;
  }
  if (config.redis.kind !== 'redis') {
    io.err('sessions:revoke-all needs REDIS_URL: in-memory sessions live inside the API process');
    return 1;
  }
  const scope: SweepScope = argv.includes('--staff-only') ? 'staff' : 'everyone';
  const app = await createApp({ ...config, log: { level: 'warn' } });
  try {
    const client = app.get<Redis>(REDIS_CLIENT);
    const { sessions, signedIn } = await sweepSessions(client, config.redis.keyPrefix, scope);
    await app
      .get(SecurityEvents)
      .emit(
        { actor: systemActor('cli:sessions-revoke-all') },
        { name: 'session.revoked_all', details: { scope, count: sessions } },
      );
    io.out(
      `ended ${sessions} ${scope === 'staff' ? 'staff ' : ''}session${sessions === 1 ? '' : 's'}` +
        (scope === 'everyone' ? ` (${signedIn} signed in, ${sessions - signedIn} anonymous)` : ''),
    );
    return 0;
  } finally {
    await app.close();
  }
}
