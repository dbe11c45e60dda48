import type { FastifyRequest } from 'fastify';
import { sessionIdFrom } from '../session/session-cookie';
import type { Session, SessionService } from '../session/session.service';

const LOADED = new WeakMap<FastifyRequest, Promise<Session | null>>();

/**
 * The session of this request, loaded from Redis at most once per request (the CSRF guard, the
 * access guard and the handler all need it). Null when the cookie is absent, forged or expired.
 */
export function loadRequestSession(
  sessions: SessionService,
  request: FastifyRequest,
): Promise<Session | null> {
  let loaded = LOADED.get(request);
  if (!loaded) {
    loaded = sessions.load(sessionIdFrom(request));
    LOADED.set(request, loaded);
  }
  return loaded;
}

/** Replaces the memoised session after a handler rotated or destroyed it. */
export function rememberRequestSession(request: FastifyRequest, session: Session | null): void {
  LOADED.set(request, Promise.resolve(session));
}
