import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../core/errors/domain-error';
import { loadRequestSession, rememberRequestSession } from '../identity/request-session';
import { setSessionCookie } from '../session/session-cookie';
import { SessionService, type Session } from '../session/session.service';

/** Whose cart a request works on. */
export type CartOwner = { kind: 'customer'; userId: string } | { kind: 'guest' };

/** The caller of a cart route: the owner, the session, and a way to start one. */
export interface CartCaller {
  owner: CartOwner;
  /** The caller's live session, if any. */
  session: Session | null;
  /** The session, started (with its cookie) if this guest has none yet. */
  ensureSession(): Promise<Session>;
}

/**
 * Decides whose cart a request may touch, from the server-side session only (a client never
 * names a cart): a fully signed-in customer's account cart; otherwise the guest cart whose id the
 * session holds. A customer still passing a second factor shops as a guest until the sign-in
 * completes (the carts merge then). Staff sessions have no cart (403): the back office does not
 * shop.
 */
@Injectable()
export class CartCallers {
  constructor(@Inject(SessionService) private readonly sessions: SessionService) {}

  async of(request: FastifyRequest, reply: FastifyReply): Promise<CartCaller> {
    const session = await loadRequestSession(this.sessions, request);
    const auth = session?.record.auth ?? null;
    if (auth?.kind === 'staff') throw new DomainError('FORBIDDEN');
    const userId = session?.record.userId ?? null;
    const owner: CartOwner =
      auth?.level === 'full' && userId !== null ? { kind: 'customer', userId } : { kind: 'guest' };
    const caller: CartCaller = {
      owner,
      session,
      ensureSession: async () => {
        if (caller.session) return caller.session;
        const created = await this.sessions.create();
        setSessionCookie(reply, created);
        rememberRequestSession(request, created);
        caller.session = created;
        return created;
      },
    };
    return caller;
  }
}
