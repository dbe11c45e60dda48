import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { setSessionCookie } from '../session/session-cookie';
import {
  SessionService,
  type Session,
  type SessionAuth,
  type SessionRevocation,
  type SessionTimeouts,
} from '../session/session.service';
import type { UserKind } from './entities/user.entity';
import { loadRequestSession, rememberRequestSession } from './request-session';
import { SignInListeners } from './sign-in-listeners';

/** A short, log-safe description of the client for "your sessions". */
function describeClient(request: FastifyRequest): string {
  const agent = request.headers['user-agent'] ?? '';
  return agent.replace(/[^\x20-\x7e]/g, '').slice(0, 120);
}

/**
 * Moves a session between sign-in states. Every change of who is signed in, or of what the
 * session may do, issues a NEW session id (and CSRF token): an id planted or observed before the
 * change is worthless after it (session fixation). Guest state (e.g. the cart) moves along, and
 * once a sign-in is complete (`full`) the {@link SignInListeners} run (the cart merges then).
 */
@Injectable()
export class SignInSessionService {
  constructor(
    @Inject(SessionService) private readonly sessions: SessionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SignInListeners) private readonly listeners: SignInListeners,
  ) {}

  /** Timeouts for an account kind: customers 30 min / 12 h, staff 15 min / 8 h (configurable). */
  timeoutsFor(kind: UserKind): SessionTimeouts {
    return kind === 'staff' ? this.config.identity.staffSession : this.sessions.defaultTimeouts;
  }

  /** The session of this request, if any. */
  current(request: FastifyRequest): Promise<Session | null> {
    return loadRequestSession(this.sessions, request);
  }

  /**
   * Establishes a (possibly partial) sign-in on a fresh session id and sets the cookie.
   */
  async establish(
    request: FastifyRequest,
    reply: FastifyReply,
    user: { id: string; kind: UserKind; roles: string[] },
    level: SessionAuth['level'],
  ): Promise<Session> {
    const now = Date.now();
    const auth: SessionAuth = {
      level,
      kind: user.kind,
      roles: user.roles,
      authenticatedAt: now,
      reauthenticatedAt: now,
    };
    const previous = await this.current(request);
    const options = {
      timeouts: this.timeoutsFor(user.kind),
      auth,
      client: describeClient(request),
    };
    // Guest state (a cart) moves into the account; another account's state never does (a shared
    // computer: the previous user's session simply ends).
    const carries =
      previous !== null && (previous.record.userId === null || previous.record.userId === user.id);
    if (previous && !carries) await this.sessions.destroy(previous);
    const next =
      previous && carries
        ? await this.sessions.rotate(previous, user.id, options)
        : await this.sessions.create(user.id, {}, options);
    setSessionCookie(reply, next);
    rememberRequestSession(request, next);
    if (level === 'full')
      await this.listeners.notify({ userId: user.id, kind: user.kind, session: next });
    return next;
  }

  /** Raises a partial sign-in to `full` (second factor passed) on a new id. */
  async elevate(request: FastifyRequest, reply: FastifyReply, session: Session): Promise<Session> {
    const auth = session.record.auth;
    if (!auth) throw new Error('elevate() needs a signed-in session');
    const now = Date.now();
    const next = await this.sessions.rotate(session, session.record.userId, {
      auth: { ...auth, level: 'full', authenticatedAt: now, reauthenticatedAt: now },
    });
    setSessionCookie(reply, next);
    rememberRequestSession(request, next);
    if (next.record.userId) {
      await this.listeners.notify({ userId: next.record.userId, kind: auth.kind, session: next });
    }
    return next;
  }

  /** Records a successful re-authentication (step-up) on a new id. */
  async reauthenticated(
    request: FastifyRequest,
    reply: FastifyReply,
    session: Session,
  ): Promise<Session> {
    const auth = session.record.auth;
    if (!auth) throw new Error('reauthenticated() needs a signed-in session');
    const next = await this.sessions.rotate(session, session.record.userId, {
      auth: { ...auth, reauthenticatedAt: Date.now() },
    });
    setSessionCookie(reply, next);
    rememberRequestSession(request, next);
    return next;
  }

  /** Saves per-session state (e.g. the count of failed second-factor attempts). */
  save(session: Session): Promise<void> {
    return this.sessions.save(session);
  }

  /** Ends the session of this request. */
  async end(
    request: FastifyRequest,
    session: Session,
    revocation?: SessionRevocation,
  ): Promise<void> {
    await this.sessions.destroy(session, revocation);
    rememberRequestSession(request, null);
  }
}
