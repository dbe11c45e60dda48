import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { systemActor, type AuditActor, type AuditContext } from '../audit/audit-context';
import { SecurityEvents, type SecurityEventInput } from '../audit/security-events.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DomainError } from '../core/errors/domain-error';
import { KEY_VALUE_STORE, type KeyValueStore } from '../store/key-value-store';

/** Name of the session cookie. `__Host-` binds it to this exact origin: Secure, Path=/, no Domain. */
export const SESSION_COOKIE = '__Host-sid';

/** What the server keeps about a session. Never sent to the client. */
export interface SessionRecord {
  /** The account signed in on this session, if any (set by the identity context). */
  userId: string | null;
  createdAt: number;
  lastSeenAt: number;
  /** Epoch ms after which the session is dead whatever its activity. */
  absoluteExpiresAt: number;
  /** Small per-session state of other contexts (e.g. a guest cart id). */
  data: Record<string, string>;
}

/**
 * Who ended sessions and why, for the `session.revoked` security event (audited). Without it the
 * actor is the system and the reason is the method's default.
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

  /** The clock; tests override it to move time. */
  protected now(): number {
    return Date.now();
  }

  private key(id: string): string {
    return `session:${createHash('sha256').update(id).digest('base64url')}`;
  }

  private userKey(userId: string): string {
    return `user-sessions:${userId}`;
  }

  private ttlFor(record: SessionRecord): number {
    const remaining = Math.ceil((record.absoluteExpiresAt - this.now()) / 1000);
    return Math.max(1, Math.min(this.config.session.idleTimeoutSeconds, remaining));
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
  create(userId: string | null = null, data: Record<string, string> = {}): Promise<Session> {
    return this.guard(async () => {
      const now = this.now();
      const id = randomBytes(32).toString('base64url');
      const record: SessionRecord = {
        userId,
        createdAt: now,
        lastSeenAt: now,
        absoluteExpiresAt: now + this.config.session.absoluteTimeoutSeconds * 1000,
        data,
      };
      await this.store.set(this.key(id), JSON.stringify(record), this.ttlFor(record));
      if (userId)
        await this.store.addToSet(
          this.userKey(userId),
          this.key(id),
          this.config.session.absoluteTimeoutSeconds,
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
   * Replaces the session id, keeping the state (used at login and privilege change, so an id
   * planted before login is worthless after it). The old id stops working immediately.
   */
  rotate(session: Session, userId: string | null = session.record.userId): Promise<Session> {
    return this.guard(async () => {
      await this.remove(session);
      const next = await this.create(userId, session.record.data);
      next.record.absoluteExpiresAt =
        userId === session.record.userId
          ? session.record.absoluteExpiresAt
          : next.record.absoluteExpiresAt;
      await this.save(next);
      return next;
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
          { actor: systemActor('sessions'), reason: 'logout' },
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
