import type { FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE, type Session, type SessionService } from './session.service';

/** Cookie attributes of the storefront session (the back office will use SameSite=Strict). */
export const SESSION_COOKIE_OPTIONS = {
  path: '/',
  secure: true,
  httpOnly: true,
  sameSite: 'lax',
} as const;

/** The session id the browser sent, if any. */
export function sessionIdFrom(request: FastifyRequest): string | undefined {
  return request.cookies[SESSION_COOKIE];
}

/**
 * Sets the session cookie. It has no Max-Age: the server decides when a session ends. Staff
 * sessions use `SameSite=Strict` (the back office is never entered from another site); the
 * storefront's `Lax` survives the return from 3-D Secure.
 */
export function setSessionCookie(reply: FastifyReply, session: Session): void {
  const strict = session.record.auth?.kind === 'staff';
  void reply.setCookie(SESSION_COOKIE, session.id, {
    ...SESSION_COOKIE_OPTIONS,
    sameSite: strict ? 'strict' : 'lax',
  });
}

/** Expires the session cookie in the browser. */
export function clearSessionCookie(reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, SESSION_COOKIE_OPTIONS);
}

/**
 * The session of this request, created on first need: anonymous shoppers get a session (and a
 * cookie) only when they first need server-side state, such as a cart.
 */
export async function ensureSession(
  sessions: SessionService,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<Session> {
  const existing = await sessions.load(sessionIdFrom(request));
  if (existing) return existing;
  const created = await sessions.create();
  setSessionCookie(reply, created);
  return created;
}
