import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import {
  BREACHED_PASSWORD_CHECK,
  HibpBreachedPasswordCheck,
  NO_ONLINE_BREACH_CHECK,
  type BreachedPasswordCheck,
} from './breached-password-check';
import { defaultPasswordBlocklist } from './password-blocklist';
import { PasswordHasher } from './password-hasher.service';
import { PASSWORD_BLOCKLIST, PasswordPolicy } from './password-policy.service';
import { RecoveryCodeService } from './recovery-code.service';
import { TotpService } from './totp.service';

/**
 * Credential primitives for the identity context: argon2id password hashing with a concurrency
 * cap ({@link PasswordHasher}), the password policy ({@link PasswordPolicy}), TOTP
 * ({@link TotpService}) and recovery codes ({@link RecoveryCodeService}).
 *
 * Needs `APP_CONFIG` and `DataSource` (global modules) and `FIELD_CIPHER` (the privacy
 * context's EncryptionModule) in scope.
 */
@Module({
  providers: [
    {
      provide: PasswordHasher,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        new PasswordHasher({
          argon2: config.credentials.argon2,
          concurrency: config.credentials.hashConcurrency,
          queueLimit: config.credentials.hashQueueLimit,
        }),
    },
    { provide: PASSWORD_BLOCKLIST, useFactory: defaultPasswordBlocklist },
    {
      provide: BREACHED_PASSWORD_CHECK,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): BreachedPasswordCheck =>
        config.credentials.hibp.enabled
          ? new HibpBreachedPasswordCheck(config.credentials.hibp)
          : NO_ONLINE_BREACH_CHECK,
    },
    PasswordPolicy,
    TotpService,
    RecoveryCodeService,
  ],
  exports: [PasswordHasher, PasswordPolicy, TotpService, RecoveryCodeService],
})
export class CredentialsModule {}
