import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Session } from '../../session/session.service';
import { KEY_VALUE_STORE, type KeyValueStore } from '../../store/key-value-store';

/** What a challenge was issued for; a challenge only ever completes the ceremony it began. */
export type PasskeyCeremony = 'registration' | 'passwordless' | 'second-factor' | 'step-up';

/** Seconds a challenge stays valid: the ceremony's timeout plus a little network slack. */
export const PASSKEY_CHALLENGE_TTL_SECONDS = 150;
/** The timeout given to the browser, in milliseconds. */
export const PASSKEY_CEREMONY_TIMEOUT_MS = 120_000;
/** 256-bit challenges (WebAuthn asks for at least 16 random bytes). */
const CHALLENGE_BYTES = 32;

/** A challenge waiting for its answer. */
export interface PendingChallenge {
  /** The base64url challenge the authenticator must sign. */
  challenge: string;
  /** The account the ceremony is for (null for passwordless sign-in, which finds the account). */
  userId: string | null;
  /** Registration only: the WebAuthn user handle given to the authenticator. */
  userHandle?: string;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

/**
 * WebAuthn challenges, kept on the server (Redis) and never taken from the client: random 256-bit
 * values, valid {@link PASSKEY_CHALLENGE_TTL_SECONDS}, bound to the session that asked for them
 * (the key holds a hash of the session id) and to the ceremony, and single-use — taking one
 * deletes it, and an atomic counter on the challenge lets only the first taker through even if
 * two requests race, on one instance or several. An assertion replayed later names a challenge
 * that no longer exists.
 */
@Injectable()
export class PasskeyChallenges {
  constructor(@Inject(KEY_VALUE_STORE) private readonly store: KeyValueStore) {}

  private key(session: Session, ceremony: PasskeyCeremony): string {
    return `webauthn-challenge:${ceremony}:${sha256(session.id)}`;
  }

  /** A fresh challenge (its bytes, for the WebAuthn library) — not yet stored. */
  newChallenge(): Uint8Array<ArrayBuffer> {
    return Uint8Array.from(randomBytes(CHALLENGE_BYTES));
  }

  /** Remembers the challenge of a ceremony begun by `session` (replacing an earlier one). */
  async remember(
    session: Session,
    ceremony: PasskeyCeremony,
    pending: PendingChallenge,
  ): Promise<void> {
    await this.store.set(
      this.key(session, ceremony),
      JSON.stringify(pending),
      PASSKEY_CHALLENGE_TTL_SECONDS,
    );
  }

  /**
   * Takes the pending challenge of this session's ceremony, once. Null when there is none: never
   * issued, expired, issued to another session, or already taken.
   */
  async take(session: Session, ceremony: PasskeyCeremony): Promise<PendingChallenge | null> {
    const key = this.key(session, ceremony);
    const raw = await this.store.get(key);
    if (raw === null) return null;
    await this.store.del(key);
    const pending = JSON.parse(raw) as PendingChallenge;
    const takers = await this.store.incrInWindow(
      `webauthn-challenge-taken:${sha256(pending.challenge)}`,
      PASSKEY_CHALLENGE_TTL_SECONDS,
    );
    return takers === 1 ? pending : null;
  }
}
