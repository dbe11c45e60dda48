import { Injectable, Logger } from '@nestjs/common';
import type { Session } from '../session/session.service';
import type { UserKind } from './entities/user.entity';

/** A completed sign-in: every required factor passed, on the session's new id. */
export interface SignInEvent {
  userId: string;
  kind: UserKind;
  /** The signed-in session; a listener may change its `data` and save it. */
  session: Session;
}

/** Something another context does when someone has fully signed in (e.g. merge a guest cart). */
export type SignInListener = (event: SignInEvent) => Promise<void>;

/**
 * The identity context's port for "after a full sign-in": password (without a second factor),
 * password + second factor, and passkey sign-in all end in `SignInSessionService`, which notifies
 * the listeners other contexts register here at start-up. A listener's failure is logged and
 * never fails the sign-in (the listener must be able to catch up later).
 */
@Injectable()
export class SignInListeners {
  private readonly logger = new Logger('SignInListeners');
  private readonly listeners: SignInListener[] = [];

  /** Adds a listener (called once, at module initialisation). */
  register(listener: SignInListener): void {
    this.listeners.push(listener);
  }

  /** Runs every listener in registration order. */
  async notify(event: SignInEvent): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(event);
      } catch (error) {
        this.logger.warn(
          `sign-in listener failed: ${error instanceof Error ? error.name : 'unknown error'}`,
        );
      }
    }
  }
}
