import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { KEY_VALUE_STORE, type KeyValueStore } from '../store/key-value-store';

/** The throttling state of one sign-in attempt. */
export interface ThrottleVerdict {
  /** True when the account or the client address is temporarily locked. */
  locked: boolean;
  /** Failures of this account in the current window (drives the progressive delay). */
  accountFailures: number;
}

const key = (kind: 'account' | 'ip', value: string) =>
  `login-failures:${kind}:${createHash('sha256').update(value).digest('base64url')}`;

/**
 * Login throttling per account and per trusted client IP (the IP comes from the configured proxy
 * hops only, so rotating `X-Forwarded-For` does not reset it). Failures count in a window of
 * `LOGIN_LOCKOUT_SECONDS`; from the third failure each attempt waits progressively longer
 * (0.25 s, 0.5 s, 1 s … up to 4 s), and at `LOGIN_LOCKOUT_THRESHOLD` failures the account is
 * locked until the window ends. A client address is locked after `LOGIN_IP_FAILURE_LIMIT`
 * failures on any accounts (password spraying). Callers answer a locked attempt exactly like a
 * wrong password.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    @Inject(KEY_VALUE_STORE) private readonly store: KeyValueStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Checks the counters before an attempt and applies the progressive delay. */
  async before(accountKey: string, clientAddress: string): Promise<ThrottleVerdict> {
    const [account, ip] = await Promise.all([
      this.store.get(key('account', accountKey)),
      this.store.get(key('ip', clientAddress)),
    ]);
    const accountFailures = Number(account ?? '0');
    const ipFailures = Number(ip ?? '0');
    const { lockoutThreshold, ipFailureLimit } = this.config.identity;
    const locked = accountFailures >= lockoutThreshold || ipFailures >= ipFailureLimit;
    if (!locked && accountFailures >= 2) {
      await sleep(Math.min(4_000, 250 * 2 ** (accountFailures - 2)));
    }
    return { locked, accountFailures };
  }

  /**
   * Records a failure. Returns true when this failure started a lock (for the security event).
   */
  async failed(accountKey: string, clientAddress: string): Promise<boolean> {
    const window = this.config.identity.lockoutSeconds;
    const [account, ip] = await Promise.all([
      this.store.incrInWindow(key('account', accountKey), window),
      this.store.incrInWindow(key('ip', clientAddress), window),
    ]);
    return (
      account === this.config.identity.lockoutThreshold ||
      ip === this.config.identity.ipFailureLimit
    );
  }

  /** Clears the account's failures after a successful sign-in. */
  async succeeded(accountKey: string): Promise<void> {
    await this.store.del(key('account', accountKey));
  }
}
