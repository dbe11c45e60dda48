import { Inject, Injectable } from '@nestjs/common';
import type { FieldRule } from '@storefront/contracts';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { DomainError } from '../../core/errors/domain-error';
import { BREACHED_PASSWORD_CHECK, type BreachedPasswordCheck } from './breached-password-check';
import { PasswordBlocklist } from './password-blocklist';

/** Whose password it is: staff accounts need longer ones. */
export type AccountKind = 'customer' | 'staff';

/** Minimum length in Unicode code points (ASVS 6.2.1 recommends 15; customers 12 per NIST/CNIL). */
export const PASSWORD_MIN_LENGTH: Readonly<Record<AccountKind, number>> = {
  customer: 12,
  staff: 15,
};

/**
 * Maximum length in code points. Well above the 64 ASVS 6.2.9 asks for and the 128 of our
 * baseline; it only bounds the work a single request can cause.
 */
export const PASSWORD_MAX_LENGTH = 256;

/** Context-specific words (ASVS 6.1.2) shorter than this are only refused as the whole password. */
const MIN_CONTEXT_WORD_LENGTH = 4;

/** Why a password was refused. Stable codes for clients; messages never echo the password. */
export type PasswordProblemCode = 'TOO_SHORT' | 'TOO_LONG' | 'COMMON' | 'CONTEXT' | 'BREACHED';

/** One reason a password was refused. */
export interface PasswordProblem {
  code: PasswordProblemCode;
  message: string;
  /** The length bound, for TOO_SHORT and TOO_LONG. */
  limit?: number;
}

/** The field rule of each problem, for the API's field issues. */
const RULE_OF: Record<PasswordProblemCode, FieldRule> = {
  TOO_SHORT: 'password_too_short',
  TOO_LONG: 'password_too_long',
  COMMON: 'password_common',
  CONTEXT: 'password_context',
  BREACHED: 'password_breached',
};

/** Who the password is for, so that context-specific words can be refused. */
export interface PasswordSubject {
  kind: AccountKind;
  /** The account's email address: its local part (and the parts of it) may not be used. */
  email?: string;
  /** More words specific to this account (e.g. the person's name). */
  otherWords?: readonly string[];
}

/** The policy's verdict. */
export interface PasswordPolicyResult {
  acceptable: boolean;
  problems: PasswordProblem[];
}

/** Injection token of the offline {@link PasswordBlocklist}. */
export const PASSWORD_BLOCKLIST = Symbol('PASSWORD_BLOCKLIST');

/** Length of a string in Unicode code points (what users call characters, emoji included). */
export function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

function fold(value: string): string {
  return value.normalize('NFKC').toLowerCase();
}

/**
 * The words a password may not contain for this subject (ASVS 6.1.2, 6.2.11): the shop's name,
 * with and without spaces, and each of its words; the email's local part and each of its parts
 * (split on `.`, `_`, `-`, `+`); and any other words given. Folded (NFKC, lower case).
 */
export function contextWords(shopName: string, subject: PasswordSubject): string[] {
  const words = new Set<string>();
  const add = (raw: string, splitOn: RegExp) => {
    const whole = fold(raw).trim();
    if (whole === '') return;
    words.add(whole);
    words.add(whole.replace(/\s+/g, ''));
    for (const part of whole.split(splitOn)) if (part !== '') words.add(part);
  };
  add(shopName, /[^\p{L}\p{N}]+/u);
  if (subject.email) {
    const at = subject.email.lastIndexOf('@');
    add(at > 0 ? subject.email.slice(0, at) : subject.email, /[._+\-\s]+/);
  }
  for (const word of subject.otherWords ?? []) add(word, /[^\p{L}\p{N}]+/u);
  return [...words];
}

/**
 * The password policy of the baseline: a minimum length (customers 12, staff 15 code points), a
 * maximum of 256, **no composition rules** (any character, spaces and emoji included, ASVS 6.2.5),
 * no trimming or other change (the password is judged and later hashed exactly as typed, 6.2.8),
 * refusal of common and breached passwords from an offline list (6.2.4) and optionally from Have
 * I Been Pwned (6.2.12), and refusal of context-specific words (6.2.11).
 */
@Injectable()
export class PasswordPolicy {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PASSWORD_BLOCKLIST) private readonly blocklist: PasswordBlocklist,
    @Inject(BREACHED_PASSWORD_CHECK) private readonly breachCheck: BreachedPasswordCheck,
  ) {}

  /** The checks that need no network: length, offline blocklist, context-specific words. */
  checkOffline(password: string, subject: PasswordSubject): PasswordProblem[] {
    const problems: PasswordProblem[] = [];
    const length = codePointLength(password);
    const min = PASSWORD_MIN_LENGTH[subject.kind];
    if (length < min) {
      problems.push({ code: 'TOO_SHORT', limit: min, message: `Use at least ${min} characters.` });
    }
    if (length > PASSWORD_MAX_LENGTH) {
      problems.push({
        code: 'TOO_LONG',
        limit: PASSWORD_MAX_LENGTH,
        message: `Use at most ${PASSWORD_MAX_LENGTH} characters.`,
      });
      return problems; // nothing else is worth computing on oversized input
    }
    if (this.blocklist.has(password)) {
      problems.push({
        code: 'COMMON',
        message: 'This password is too common and easy to guess; choose another one.',
      });
    }
    const folded = fold(password);
    const contextual = contextWords(this.config.shopName, subject).some((word) =>
      codePointLength(word) >= MIN_CONTEXT_WORD_LENGTH ? folded.includes(word) : folded === word,
    );
    if (contextual) {
      problems.push({
        code: 'CONTEXT',
        message: "Don't use your email address or the shop's name in your password.",
      });
    }
    return problems;
  }

  /**
   * Every check, the online breach check last and only for a password the offline checks
   * accepted. If the online service cannot answer, the offline verdict stands (fail open).
   */
  async check(password: string, subject: PasswordSubject): Promise<PasswordPolicyResult> {
    const problems = this.checkOffline(password, subject);
    if (problems.length === 0 && (await this.breachCheck.check(password)) === 'breached') {
      problems.push({
        code: 'BREACHED',
        message: 'This password has appeared in a data breach; choose another one.',
      });
    }
    return { acceptable: problems.length === 0, problems };
  }

  /** {@link check}, throwing `WEAK_PASSWORD` (422) with one issue per problem on refusal. */
  async assertAcceptable(
    password: string,
    subject: PasswordSubject,
    field = 'password',
  ): Promise<void> {
    const { acceptable, problems } = await this.check(password, subject);
    if (acceptable) return;
    throw new DomainError(
      'WEAK_PASSWORD',
      problems[0]?.message,
      problems.map((p) => ({
        path: field,
        rule: RULE_OF[p.code],
        ...(p.limit === undefined ? {} : { limit: p.limit }),
        message: p.message,
      })),
    );
  }
}
