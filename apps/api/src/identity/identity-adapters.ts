import type { Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { MailMessage } from '../mail/mail-message';
import { MailOutbox } from '../mail/mail-outbox.service';
import { RecoveryCodeService } from './credentials/recovery-code.service';
import { TotpService } from './credentials/totp.service';
import { PasskeyCredentialsRepository } from './passkeys/passkey-credentials.repository';
import {
  ACCOUNT_MAILER,
  SECOND_FACTORS,
  type AccountMailer,
  type SecondFactors,
} from './identity-ports';

type AccountMail = Parameters<AccountMailer['send']>[1];

/** Turns an identity email into an outbox message of the mail context's templates. */
export function toMailMessage(mail: AccountMail, config: AppConfig): MailMessage {
  const minutes = (seconds: number) => Math.max(1, Math.round(seconds / 60));
  const token = mail.params['token'] ?? '';
  const base = { locale: mail.locale, to: mail.to };
  const now = new Date().toISOString();
  switch (mail.template) {
    case 'verify-email':
      return {
        ...base,
        template: 'email-verification',
        params: { token, expiresInMinutes: minutes(config.identity.emailVerificationTtlSeconds) },
      };
    case 'password-reset':
      return {
        ...base,
        template: 'password-reset',
        params: { token, expiresInMinutes: minutes(config.identity.passwordResetTtlSeconds) },
      };
    case 'email-change-confirm':
      return {
        ...base,
        template: 'email-change',
        params: { token, expiresInMinutes: minutes(config.identity.emailVerificationTtlSeconds) },
      };
    case 'staff-invite':
      return {
        ...base,
        template: 'staff-invitation',
        params: { token, expiresInMinutes: minutes(config.identity.emailVerificationTtlSeconds) },
      };
    case 'account-exists':
      return { ...base, template: 'account-exists', params: {} };
    case 'password-changed':
      return { ...base, template: 'password-changed', params: { changedAt: now } };
    case 'email-changed':
      return { ...base, template: 'email-changed', params: { changedAt: now } };
    case 'mfa-changed':
      return {
        ...base,
        template: 'mfa-changed',
        params: {
          change: (mail.params['change'] ?? 'totp-enabled') as 'totp-enabled',
          changedAt: now,
        },
      };
  }
}

/** Identity emails go through the transactional outbox (committed with the caller's change). */
export const MAILER_PROVIDER: Provider = {
  provide: ACCOUNT_MAILER,
  inject: [MailOutbox, APP_CONFIG],
  useFactory: (outbox: MailOutbox, config: AppConfig): AccountMailer => ({
    send: async (manager, mail) => {
      await outbox.enqueue(manager, toMailMessage(mail, config));
    },
  }),
};

/** Second factors: TOTP and passkeys, with recovery codes for either. */
export const SECOND_FACTORS_PROVIDER: Provider = {
  provide: SECOND_FACTORS,
  inject: [TotpService, RecoveryCodeService, PasskeyCredentialsRepository],
  useFactory: (
    totp: TotpService,
    recovery: RecoveryCodeService,
    passkeys: PasskeyCredentialsRepository,
  ): SecondFactors => {
    const enrolledFactors = async (userId: string) => {
      const [hasTotp, count] = await Promise.all([
        totp.isEnrolled(userId),
        passkeys.countForUser(userId),
      ]);
      return { totp: hasTotp, passkeys: count };
    };
    const dropRecoveryCodesIfUnenrolled = async (userId: string) => {
      const factors = await enrolledFactors(userId);
      if (!factors.totp && factors.passkeys === 0) await recovery.removeAll(userId);
    };
    return {
      isEnrolled: async (userId) => {
        const factors = await enrolledFactors(userId);
        return factors.totp || factors.passkeys > 0;
      },
      enrolledFactors,
      availableAtSignIn: async (userId) => {
        const [factors, codes] = await Promise.all([
          enrolledFactors(userId),
          recovery.remaining(userId),
        ]);
        return [
          ...(factors.totp ? (['totp'] as const) : []),
          ...(factors.passkeys > 0 ? (['passkey'] as const) : []),
          ...(codes > 0 ? (['recovery-code'] as const) : []),
        ];
      },
      verifyTotp: (userId, code) => totp.verify(userId, code),
      useRecoveryCode: (userId, code) => recovery.consume(userId, code),
      beginTotp: async (userId, label) => {
        const enrolment = await totp.beginEnrolment(userId, label);
        return { otpauthUri: enrolment.uri, secret: enrolment.secret };
      },
      confirmTotp: async (userId, code) =>
        (await totp.confirmEnrolment(userId, code)) ? recovery.regenerate(userId) : null,
      removeTotp: async (userId) => {
        await totp.remove(userId);
        await dropRecoveryCodesIfUnenrolled(userId);
      },
      dropRecoveryCodesIfUnenrolled,
      regenerateRecoveryCodes: (userId) => recovery.regenerate(userId),
      recoveryCodesRemaining: (userId) => recovery.remaining(userId),
    };
  },
};
