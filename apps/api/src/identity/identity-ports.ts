import type { EntityManager } from 'typeorm';
import type { AuditContext } from '../audit/audit-context';
import type { UserKind } from './entities/user.entity';

/*
 * What the identity use cases need from the credential, mail and audit contexts, in the
 * identity context's own terms. `identity.module.ts` binds each to its implementation; keeping
 * them narrow makes every use case readable on its own.
 */

/** argon2id hashing with a cap on concurrent hashes. */
export interface PasswordHashing {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<{ valid: boolean; needsRehash: boolean }>;
  /** Spends the time of a verification for an account that does not exist. */
  verifyDummy(password: string): Promise<void>;
}

/** The password policy (length by account kind, blocklist, context words). Throws WEAK_PASSWORD. */
export interface PasswordRules {
  check(password: string, context: { kind: UserKind; email: string }): Promise<void>;
}

/** Transactional email through the outbox: committed with the caller's transaction. */
export interface AccountMailer {
  send(
    manager: EntityManager,
    message: {
      template:
        | 'verify-email'
        | 'account-exists'
        | 'password-reset'
        | 'password-changed'
        | 'email-change-confirm'
        | 'email-changed'
        | 'staff-invite'
        | 'mfa-changed';
      to: string;
      locale: 'en' | 'fr';
      params: Record<string, string>;
    },
  ): Promise<void>;
}

/** Second factors of an account: TOTP, passkeys (WebAuthn) and recovery codes. */
export interface SecondFactors {
  /** True when the account has a second factor: a confirmed TOTP authenticator or a passkey. */
  isEnrolled(userId: string): Promise<boolean>;
  /** The account's second factors, for its profile and the rule that staff keep one. */
  enrolledFactors(userId: string): Promise<{ totp: boolean; passkeys: number }>;
  /** The factors a partial sign-in can be completed with, in the words of the API. */
  availableAtSignIn(userId: string): Promise<Array<'totp' | 'passkey' | 'recovery-code'>>;
  /** Checks a TOTP code (single use: a replayed code is refused). */
  verifyTotp(userId: string, code: string): Promise<boolean>;
  /** Consumes a recovery code (single use). */
  useRecoveryCode(userId: string, code: string): Promise<boolean>;
  beginTotp(userId: string, accountLabel: string): Promise<{ otpauthUri: string; secret: string }>;
  /** Confirms the pending enrolment with a first code; returns fresh recovery codes, or null. */
  confirmTotp(userId: string, code: string): Promise<string[] | null>;
  /** Removes TOTP; the recovery codes go too unless a passkey remains. */
  removeTotp(userId: string): Promise<void>;
  /** Drops the recovery codes of an account left without any second factor. */
  dropRecoveryCodesIfUnenrolled(userId: string): Promise<void>;
  regenerateRecoveryCodes(userId: string): Promise<string[]>;
  recoveryCodesRemaining(userId: string): Promise<number>;
}

/** Security events and audit trail. */
export interface SecurityEventSink {
  emit(
    context: AuditContext,
    event: string,
    details: Record<string, unknown>,
    target?: { type: string; id: string },
    manager?: EntityManager,
  ): Promise<void>;
}

export const PASSWORD_HASHING = Symbol('PASSWORD_HASHING');
export const PASSWORD_RULES = Symbol('PASSWORD_RULES');
export const ACCOUNT_MAILER = Symbol('ACCOUNT_MAILER');
export const SECOND_FACTORS = Symbol('SECOND_FACTORS');
export const SECURITY_EVENT_SINK = Symbol('SECURITY_EVENT_SINK');
