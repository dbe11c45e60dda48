import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';

/**
 * What an online breach check found: `breached` (refuse the password), `clear` (the service does
 * not know it), `unavailable` (no answer in time: the offline list has the last word) or
 * `disabled` (no online check configured).
 */
export type BreachCheckResult = 'breached' | 'clear' | 'unavailable' | 'disabled';

/** An online source of breached passwords, consulted after the offline list (ASVS 6.2.12). */
export interface BreachedPasswordCheck {
  check(password: string): Promise<BreachCheckResult>;
}

/** Injection token of the {@link BreachedPasswordCheck}. */
export const BREACHED_PASSWORD_CHECK = Symbol('BREACHED_PASSWORD_CHECK');

/** Used when no online check is configured (the default): the offline list alone decides. */
export const NO_ONLINE_BREACH_CHECK: BreachedPasswordCheck = {
  check: () => Promise.resolve('disabled'),
};

/** Where the Pwned Passwords range API is and how long to wait for it. */
export interface HibpOptions {
  /** e.g. `https://api.pwnedpasswords.com` (tests point it at a local server). */
  baseUrl: string;
  timeoutMs: number;
}

/** Largest response read (a padded range holds ~1,000 lines of ~40 bytes). */
const MAX_RESPONSE_BYTES = 512 * 1024;

/**
 * Have I Been Pwned's Pwned Passwords range API with k-anonymity: only the first 5 hex characters
 * of the password's SHA-1 leave the server; the comparison with the returned suffixes happens
 * here. `Add-Padding: true` makes every response a similar size, so an observer of the encrypted
 * traffic cannot tell the prefix from the length; padding lines have a count of 0 and are ignored.
 *
 * It fails open: a timeout, a network error or an unexpected answer yields `unavailable`, and the
 * password policy then relies on the offline list (which was already checked). SHA-1 is what the
 * API defines; it is used here as a lookup key, not to protect anything.
 */
export class HibpBreachedPasswordCheck implements BreachedPasswordCheck {
  private readonly logger = new Logger('PwnedPasswords');
  private readonly rangeBase: string;

  constructor(private readonly options: HibpOptions) {
    this.rangeBase = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  }

  async check(password: string): Promise<BreachCheckResult> {
    const digest = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
    const prefix = digest.slice(0, 5);
    const suffix = digest.slice(5);
    try {
      const response = await fetch(new URL(`range/${prefix}`, this.rangeBase), {
        headers: { 'Add-Padding': 'true', 'User-Agent': 'hardened-storefront' },
        signal: AbortSignal.timeout(this.options.timeoutMs),
        redirect: 'error',
      });
      if (!response.ok) {
        await response.body?.cancel();
        this.logger.warn(`range API answered ${response.status}; offline list only`);
        return 'unavailable';
      }
      const body = await response.text();
      if (body.length > MAX_RESPONSE_BYTES) {
        this.logger.warn('range API answer too large; offline list only');
        return 'unavailable';
      }
      return rangeContains(body, suffix) ? 'breached' : 'clear';
    } catch (error) {
      const reason = error instanceof Error ? error.name : 'error';
      this.logger.warn(`range API unreachable (${reason}); offline list only`);
      return 'unavailable';
    }
  }
}

/**
 * True when a range response (`SUFFIX:COUNT` lines) lists `suffix` with a positive count.
 * Padding entries (count 0) never match.
 */
export function rangeContains(body: string, suffix: string): boolean {
  for (const line of body.split('\n')) {
    const separator = line.indexOf(':');
    if (separator < 0) continue;
    if (line.slice(0, separator).trim().toUpperCase() !== suffix) continue;
    const count = Number.parseInt(line.slice(separator + 1).trim(), 10);
    if (Number.isFinite(count) && count > 0) return true;
  }
  return false;
}
