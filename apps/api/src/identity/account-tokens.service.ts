import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { IsNull, type EntityManager } from 'typeorm';
import { AccountToken, type AccountTokenPurpose } from './entities';

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A consumed token: whose it was and its sealed payload, if any. */
export interface ConsumedToken {
  id: string;
  userId: string;
  payloadSealed: string | null;
}

/**
 * Emailed single-use tokens (verification, password reset, email change, staff invitation).
 * A token is 32 random bytes (256 bits), shown once in the link and stored only as its SHA-256.
 * Consumption is one conditional UPDATE, so a token works once even under concurrent use.
 */
@Injectable()
export class AccountTokensService {
  /**
   * Issues a token, replacing any unused token of the same purpose for the user (only the newest
   * link works). `seal` seals an optional payload bound to the new token's id. Returns the clear
   * token for the email.
   */
  async issue(
    manager: EntityManager,
    userId: string,
    purpose: AccountTokenPurpose,
    ttlSeconds: number,
    seal?: (tokenId: string) => Promise<string>,
  ): Promise<string> {
    await manager.delete(AccountToken, { userId, purpose, usedAt: IsNull() });
    const token = randomBytes(32).toString('base64url');
    const id = randomUUID();
    const payloadSealed = seal ? await seal(id) : null;
    await manager.insert(AccountToken, {
      id,
      userId,
      purpose,
      tokenHash: digest(token),
      payloadSealed,
      expiresAt: new Date(Date.now() + ttlSeconds * 1000),
    });
    return token;
  }

  /** Consumes a live token of `purpose`; null for an unknown, used, expired or other-purpose one. */
  async consume(
    manager: EntityManager,
    token: string,
    purpose: AccountTokenPurpose,
  ): Promise<ConsumedToken | null> {
    const rows = await manager.query<
      [Array<{ id: string; user_id: string; payload_sealed: string | null }>, number]
    >(
      `UPDATE account_tokens SET used_at = now()
        WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
        RETURNING id, user_id, payload_sealed`,
      [digest(token), purpose],
    );
    const row = rows[0][0];
    return row ? { id: row.id, userId: row.user_id, payloadSealed: row.payload_sealed } : null;
  }

  /** Invalidates every unused token of a user for a purpose (e.g. after a password change). */
  async revokeAll(
    manager: EntityManager,
    userId: string,
    purpose: AccountTokenPurpose,
  ): Promise<void> {
    await manager.delete(AccountToken, { userId, purpose, usedAt: IsNull() });
  }
}
