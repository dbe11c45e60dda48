import { randomBytes } from 'node:crypto';
import { type OnModuleInit } from '@nestjs/common';
import * as argon2 from 'argon2';
import type { Argon2Parameters } from '../../config/app-config';
import { DomainError } from '../../core/errors/domain-error';
import { parseArgon2Hash } from './argon2-hash-format';
import { BoundedSemaphore, SemaphoreFullError } from './bounded-semaphore';

/** Salt and output sizes of every new hash (bytes). 16-byte salt and 32-byte tag, as RFC 9106. */
const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** argon2 version 1.3 (0x13), the only one written. */
const ARGON2_VERSION = 0x13;

/**
 * Longest password (UTF-8 bytes) the hasher will look at: 256 code points of at most 4 bytes, the
 * policy's maximum. Longer input is never hashed (it cannot match a stored password anyway), but
 * still costs one dummy verification so its timing says nothing.
 */
export const MAX_PASSWORD_BYTES = 1024;

/** The outcome of checking a password against a stored hash. */
export interface PasswordVerification {
  valid: boolean;
  /**
   * True when the password was valid but the stored hash was made with other parameters than the
   * configured ones (or another argon2 variant): hash the password again and store the new hash.
   */
  needsRehash: boolean;
}

/** The two argon2 operations the hasher needs; tests wrap the real ones to observe them. */
export interface Argon2Engine {
  hash(password: string, options: argon2.HashOptions & { raw?: false }): Promise<string>;
  verify(encoded: string, password: string): Promise<boolean>;
}

/** The `argon2` package (native, prebuilt binaries loaded at runtime; no install script). */
export const NATIVE_ARGON2: Argon2Engine = {
  hash: (password, options) => argon2.hash(password, options),
  verify: (encoded, password) => argon2.verify(encoded, password),
};

/** How the hasher is set up; the module builds it from `AppConfig.credentials`. */
export interface PasswordHasherOptions {
  argon2: Argon2Parameters;
  /** Hashes computed at once. */
  concurrency: number;
  /** Hashes allowed to wait for a slot; callers beyond that get `SERVICE_UNAVAILABLE` at once. */
  queueLimit: number;
}

/**
 * Hashes and verifies passwords with argon2id (OWASP Password Storage parameters by default:
 * m=19456 KiB, t=2, p=1; configurable). Every hash carries its parameters and a random 16-byte
 * salt, so parameters can change without invalidating stored hashes: {@link verify} reports
 * `needsRehash` and the caller stores a fresh hash.
 *
 * At most `concurrency` hashes run at once and at most `queueLimit` wait; further calls fail fast
 * with `SERVICE_UNAVAILABLE` (503), so a login storm degrades sign-in only, never the catalogue.
 * {@link verifyDummy} costs exactly what a real verification costs, for accounts that do not
 * exist, so response time does not reveal whether an email is registered.
 */
export class PasswordHasher implements OnModuleInit {
  private readonly gate: BoundedSemaphore;
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly options: PasswordHasherOptions,
    private readonly engine: Argon2Engine = NATIVE_ARGON2,
  ) {
    this.gate = new BoundedSemaphore(options.concurrency, options.queueLimit);
  }

  /** Prepares the dummy hash at startup so the first unknown-account sign-in is not slower. */
  async onModuleInit(): Promise<void> {
    await this.dummy();
  }

  /** The configured parameters, as written into new hashes. */
  get parameters(): Readonly<Argon2Parameters> {
    return this.options.argon2;
  }

  /** Hashes a new password (already accepted by the password policy). */
  hash(password: string): Promise<string> {
    return this.gated(() => this.engine.hash(password, this.hashOptions()));
  }

  /**
   * Checks `password` against a stored hash, exactly as typed (no trimming, truncation or case
   * change). A malformed stored hash or an over-long password is treated as a mismatch after the
   * same amount of work as a real check.
   */
  async verify(storedHash: string, password: string): Promise<PasswordVerification> {
    const info = parseArgon2Hash(storedHash);
    if (!info || Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
      return this.verifyDummy(password);
    }
    const valid = await this.gated(() => this.engine.verify(storedHash, password));
    return { valid, needsRehash: valid && this.needsRehash(storedHash) };
  }

  /**
   * Spends the time of one verification and reports failure. Call it when the account does not
   * exist (or is locked), so such answers take as long as a wrong password.
   */
  async verifyDummy(password: string): Promise<PasswordVerification> {
    const dummy = await this.dummy();
    const candidate = Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES ? '' : password;
    await this.gated(() => this.engine.verify(dummy, candidate));
    return { valid: false, needsRehash: false };
  }

  /** True when `storedHash` was not made with argon2id v1.3 and the configured parameters. */
  needsRehash(storedHash: string): boolean {
    const info = parseArgon2Hash(storedHash);
    const p = this.options.argon2;
    return (
      !info ||
      info.variant !== 'argon2id' ||
      info.version !== ARGON2_VERSION ||
      info.memoryKib !== p.memoryKib ||
      info.iterations !== p.iterations ||
      info.parallelism !== p.parallelism ||
      info.saltBytes < SALT_BYTES ||
      info.hashBytes !== HASH_BYTES
    );
  }

  private hashOptions(): argon2.HashOptions & { raw: false } {
    const p = this.options.argon2;
    return {
      type: argon2.argon2id,
      version: ARGON2_VERSION,
      memoryCost: p.memoryKib,
      timeCost: p.iterations,
      parallelism: p.parallelism,
      hashLength: HASH_BYTES,
      raw: false,
    };
  }

  private dummy(): Promise<string> {
    // A hash of a random password nobody knows, with the current parameters (not gated: it runs
    // once, at startup).
    this.dummyHash ??= this.engine.hash(randomBytes(32).toString('base64url'), this.hashOptions());
    return this.dummyHash;
  }

  private async gated<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await this.gate.run(task);
    } catch (error) {
      if (error instanceof SemaphoreFullError) {
        throw new DomainError(
          'SERVICE_UNAVAILABLE',
          'Too many sign-in attempts are being processed; retry in a moment.',
        );
      }
      throw error;
    }
  }
}
