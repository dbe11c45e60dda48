import { hash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { systemActor, type AuditActor, type AuditContext } from '../audit/audit-context';
import { SecurityEvents, type SecurityEventInput } from '../audit/security-events.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DomainError } from '../core/errors/domain-error';
import { KEY_VALUE_STORE, type KeyValueStore } from '../store/key-value-store';

/** Name of the session cookie. `__Host-` binds it to this exact origin: Secure, Path=/, no Domain. */
export const SESSION_COOKIE = '__Host-sid';

/** How a session is signed in (set by the identity context at login). */
export interface SessionAuth {
  /**
   * `full`: every factor passed. `mfa-pending`: the password passed, a second factor is due.
   * `mfa-enrolment`: a staff account that must enrol a second factor before anything else.
   */
  level: 'full' | 'mfa-pending' | 'mfa-enrolment';
  /** Account kind, which sets the timeouts and the cookie's SameSite. */
  kind: 'customer' | 'staff';
  /** Roles held when the session was established; a role change revokes the user's sessions. */
  roles: string[];
  /** Epoch ms of the login. */
  authenticatedAt: number;
  /** Epoch ms of the last re-authentication (step-up for sensitive actions). */
  reauthenticatedAt: number;
}

/** Timeouts of one session (customers and staff differ). */
export interface SessionTimeouts {
  idleTimeoutSeconds: number;
  absoluteTimeoutSeconds: number;
}

/** What the server keeps about a session. Never sent to the client. */
export interface SessionRecord {
  /** The account signed in on this session, if any (set by the identity context). */
  userId: string | null;
  createdAt: number;
  lastSeenAt: number;
  /** Epoch ms after which the session is dead whatever its activity. */
  absoluteExpiresAt: number;
  /** Idle timeout of this session, in seconds. */
  idleTimeoutSeconds: number;
  /** Per-session anti-CSRF token: state-changing requests must echo it in `X-CSRF-Token`. */
  csrfToken: string;
  /** A random name for this session, safe to show in "your sessions" (never the id). */
  handle: string;
  /** Sign-in state, when a user is (partly) signed in. */
  auth: SessionAuth | null;
  /** Short description of the client (from its User-Agent), for the session list. */
  client: string;
  /** Small per-session state of other contexts (e.g. a guest cart id). */
  data: Record<string, string>;
}

/** Options of {@link SessionService.create}. */
export interface CreateSessionOptions {
  timeouts?: SessionTimeouts;
  auth?: SessionAuth | null;
  client?: string;
}

/**
 * Who ended sessions and why, for the `session.revoked` security event (audited). Without it the
 * actor is the session's own user (or the system when the user is unknown) and the reason is the
 * method's default.
 */
export interface SessionRevocation {
  ctx?: AuditContext;
  reason?: SecurityEventInput<'session.revoked'>['details']['reason'];
}

/** A live session: the opaque id (only ever in the cookie) and its record. */
export interface Session {
  id: string;
  record: SessionRecord;
}

const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Store key namespaces of sessions (under the configured `REDIS_KEY_PREFIX`): a session record is
 * `session:<sha256 of the id>`, a user's index of session keys `user-sessions:<user id>`. The
 * `sessions:revoke-all` command sweeps them; nothing else in the application uses these names.
 */
export const SESSION_KEYS = { session: 'session:', userIndex: 'user-sessions:' } as const;

/**
 * Server-side sessions in Redis. Ids are 32 random bytes (256 bits) from the CSPRNG, opaque and
 * stored only as a SHA-256 hash, so a copy of Redis does not hand out live sessions. Idle expiry is
 * the Redis TTL, refreshed on use; the absolute limit is checked on every load. Each user's
 * sessions are indexed so all can be revoked at once.
 *
 * Every operation fails closed: if the store is unreachable it throws `SERVICE_UNAVAILABLE` (503),
 * it never treats the caller as having no session or a valid one.
 */
@Injectable()
export class SessionService {
  constructor(
    @Inject(KEY_VALUE_STORE) private readonly store: KeyValueStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SecurityEvents) private readonly events: SecurityEvents,
  ) {}

  /** Reports ended sessions of a user (`session.revoked`: a log line and an audit row). */
  private async revoked(
    userId: string,
    scope: 'one' | 'others' | 'all',
    count: number,
    defaults: { actor: AuditActor; reason: NonNullable<SessionRevocation['reason']> },
    revocation: SessionRevocation = {},
  ): Promise<void> {
    if (count === 0) return;
    await this.events.emit(revocation.ctx ?? { actor: defaults.actor }, {
      name: 'session.revoked',
      target: { type: 'user', id: userId },
      details: { scope, count, reason: revocation.reason ?? defaults.reason },
    });
  }

  /** The user of a signed-in session as an audit actor; the system when it is not known. */
  private actorOf(record: SessionRecord): AuditActor {
    return record.auth && record.userId
      ? { type: record.auth.kind, id: record.userId }
      : systemActor('sessions');
  }

  /** The clock; tests override it to move time. */
  protected now(): number {
    return Date.now();
  }

  private key(id: string): string {
    return `${SESSION_KEYS.session}${hash('sha256', id, 'base64url')}`;
  }

  private userKey(userId: string): string {
    return `${SESSION_KEYS.userIndex}${userId}`;
  }

  private ttlFor(record: SessionRecord): number {
    const remaining = Math.ceil((record.absoluteExpiresAt - this.now()) / 1000);
    return Math.max(1, Math.min(record.idleTimeoutSeconds, remaining));
  }

  /** The default (anonymous and customer) timeouts from the configuration. */
  get defaultTimeouts(): SessionTimeouts {
    return {
      idleTimeoutSeconds: this.config.session.idleTimeoutSeconds,
      absoluteTimeoutSeconds: this.config.session.absoluteTimeoutSeconds,
    };
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw new DomainError('SERVICE_UNAVAILABLE');
    }
  }

  /** Creates a new anonymous (or signed-in) session. */
  create(
    userId: string | null = null,
    data: Record<string, string> = {},
    options: CreateSessionOptions = {},
  ): Promise<Session> {
    return this.guard(async () => {
      const now = this.now();
      const timeouts = options.timeouts ?? this.defaultTimeouts;
      const id = randomBytes(32).toString('base64url');
      const record: SessionRecord = {
        userId,
        createdAt: now,
        lastSeenAt: now,
        absoluteExpiresAt: now + timeouts.absoluteTimeoutSeconds * 1000,
        idleTimeoutSeconds: timeouts.idleTimeoutSeconds,
        csrfToken: randomBytes(32).toString('base64url'),
        handle: randomBytes(12).toString('base64url'),
        auth: options.auth ?? null,
        client: options.client ?? '',
        data,
      };
      await this.store.set(this.key(id), JSON.stringify(record), this.ttlFor(record));
      if (userId)
        await this.store.addToSet(
          this.userKey(userId),
          this.key(id),
          timeouts.absoluteTimeoutSeconds,
        );
      return { id, record };
    });
  }

  /**
   * Loads a session by the id from the cookie and slides its idle expiry. Returns null for a
   * missing, malformed, expired or revoked id.
   */
  load(id: string | undefined): Promise<Session | null> {
    if (id === undefined || !ID_PATTERN.test(id)) return Promise.resolve(null);
    return this.guard(async () => {
      const raw = await this.store.get(this.key(id));
      if (raw === null) return null;
      const record = JSON.parse(raw) as SessionRecord;
      if (record.absoluteExpiresAt <= this.now()) {
        await this.store.del(this.key(id));
        return null;
      }
      record.lastSeenAt = this.now();
      await this.store.set(this.key(id), JSON.stringify(record), this.ttlFor(record));
      return { id, record };
    });
  }

  /** Saves changes to a session's record (e.g. its data), keeping its expiry. */
  save(session: Session): Promise<void> {
    return this.guard(async () => {
      await this.store.set(
        this.key(session.id),
        JSON.stringify(session.record),
        this.ttlFor(session.record),
      );
    });
  }

  /**
   * Replaces the session id and the CSRF token, keeping the per-context state (used at login and
   * privilege change, so an id planted before login is worthless after it). The old id stops
   * working immediately. A change of user starts a new absolute lifetime with the given timeouts.
   */
  rotate(
    session: Session,
    userId: string | null = session.record.userId,
    options: CreateSessionOptions = {},
  ): Promise<Session> {
    return this.guard(async () => {
      await this.remove(session);
      const sameUser = userId === session.record.userId;
      const next = await this.create(userId, session.record.data, {
        timeouts: options.timeouts ?? {
          idleTimeoutSeconds: session.record.idleTimeoutSeconds,
          absoluteTimeoutSeconds: Math.ceil((session.record.absoluteExpiresAt - this.now()) / 1000),
        },
        auth: options.auth === undefined ? session.record.auth : options.auth,
        client: options.client ?? session.record.client,
      });
      if (sameUser && options.timeouts === undefined) {
        next.record.absoluteExpiresAt = session.record.absoluteExpiresAt;
        await this.save(next);
      }
      return next;
    });
  }

  /** The live sessions of a user, for "your sessions". Expired ones are pruned from the index. */
  listForUser(userId: string): Promise<SessionRecord[]> {
    return this.guard(async () => {
      const keys = await this.store.setMembers(this.userKey(userId));
      const records: SessionRecord[] = [];
      for (const key of keys) {
        const raw = await this.store.get(key);
        const record = raw === null ? null : (JSON.parse(raw) as SessionRecord);
        if (record === null || record.userId !== userId || record.absoluteExpiresAt <= this.now()) {
          await this.store.removeFromSet(this.userKey(userId), key);
          continue;
        }
        records.push(record);
      }
      return records.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
    });
  }

  /**
   * Ends the session of `userId` named by `handle`. Returns false when the user has no such
   * session (someone else's handle included), so callers answer 404.
   */
  destroyByHandle(
    userId: string,
    handle: string,
    revocation?: SessionRevocation,
  ): Promise<boolean> {
    return this.guard(async () => {
      for (const key of await this.store.setMembers(this.userKey(userId))) {
        const raw = await this.store.get(key);
        if (raw === null) continue;
        const record = JSON.parse(raw) as SessionRecord;
        if (record.userId === userId && record.handle === handle) {
          await this.store.del(key);
          await this.store.removeFromSet(this.userKey(userId), key);
          await this.revoked(
            userId,
            'one',
            1,
            { actor: this.actorOf(record), reason: 'user_request' },
            revocation,
          );
          return true;
        }
      }
      return false;
    });
  }

  /** Ends every session of a user except `keep` ("sign out my other sessions"). */
  destroyOthersForUser(
    userId: string,
    keep: Session,
    revocation?: SessionRevocation,
  ): Promise<number> {
    return this.guard(async () => {
      const keepKey = this.key(keep.id);
      const others = (await this.store.setMembers(this.userKey(userId))).filter(
        (key) => key !== keepKey,
      );
      for (const key of others) await this.store.removeFromSet(this.userKey(userId), key);
      if (others.length > 0) await this.store.del(...others);
      await this.revoked(
        userId,
        'others',
        others.length,
        { actor: this.actorOf(keep.record), reason: 'user_request' },
        revocation,
      );
      return others.length;
    });
  }

  /** Ends one session (logout by default); a signed-in one is reported as `session.revoked`. */
  destroy(session: Session, revocation?: SessionRevocation): Promise<void> {
    return this.guard(async () => {
      await this.remove(session);
      if (session.record.userId)
        await this.revoked(
          session.record.userId,
          'one',
          1,
          { actor: this.actorOf(session.record), reason: 'logout' },
          revocation,
        );
    });
  }

  /** Deletes a session and its index entry, without reporting (rotation is not a revocation). */
  private remove(session: Session): Promise<void> {
    return this.guard(async () => {
      await this.store.del(this.key(session.id));
      if (session.record.userId)
        await this.store.removeFromSet(this.userKey(session.record.userId), this.key(session.id));
    });
  }

  /** Ends every session of a user (password reset, account disabled, "sign out everywhere"). */
  destroyAllForUser(userId: string, revocation?: SessionRevocation): Promise<number> {
    return this.guard(async () => {
      const keys = await this.store.setMembers(this.userKey(userId));
      await this.store.del(...keys, this.userKey(userId));
      await this.revoked(
        userId,
        'all',
        keys.length,
        { actor: systemActor('sessions'), reason: 'unspecified' },
        revocation,
      );
      return keys.length;
    });
  }
}
