import { describe, expect, it } from 'vitest';
import { parseArgon2Hash } from './argon2-hash-format';
import {
  BREACHED_PASSWORD_CHECK,
  HibpBreachedPasswordCheck,
  NO_ONLINE_BREACH_CHECK,
} from './breached-password-check';
import { openCredentialsContext } from './credentials.test-support';
import { PasswordHasher } from './password-hasher.service';
import { PasswordPolicy } from './password-policy.service';
import { RecoveryCodeService } from './recovery-code.service';
import { TotpService } from './totp.service';

describe('CredentialsModule', () => {
  it('builds every service from the configuration, with the dummy hash ready at startup', async () => {
    const app = await openCredentialsContext({
      PASSWORD_ARGON2_MEMORY_KIB: '12288',
      PASSWORD_ARGON2_ITERATIONS: '3',
    });
    try {
      const hasher = app.get(PasswordHasher);
      expect(parseArgon2Hash(await hasher.hash('a fine passphrase!'))).toMatchObject({
        variant: 'argon2id',
        memoryKib: 12_288,
        iterations: 3,
        parallelism: 1,
      });
      expect((hasher as unknown as { dummyHash: unknown }).dummyHash).toBeInstanceOf(Promise);
      expect(app.get(BREACHED_PASSWORD_CHECK)).toBe(NO_ONLINE_BREACH_CHECK);
      expect(app.get(PasswordPolicy)).toBeInstanceOf(PasswordPolicy);
      expect(app.get(TotpService)).toBeInstanceOf(TotpService);
      expect(app.get(RecoveryCodeService)).toBeInstanceOf(RecoveryCodeService);
    } finally {
      await app.close();
    }
  });

  it('uses the Have I Been Pwned adapter only when enabled', async () => {
    const app = await openCredentialsContext({ PASSWORD_HIBP_ENABLED: 'true' });
    try {
      expect(app.get(BREACHED_PASSWORD_CHECK)).toBeInstanceOf(HibpBreachedPasswordCheck);
    } finally {
      await app.close();
    }
  });
});
