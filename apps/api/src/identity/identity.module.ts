import { Global, Module } from '@nestjs/common';
import { PRINCIPAL_RESOLVER } from '../core/http/principal';
import { SecurityEvents } from '../audit/security-events.service';
import type { AuditContext } from '../audit/audit-context';
import type { EntityManager } from 'typeorm';
import { AccountTokensService } from './account-tokens.service';
import { CustomerAddressesController } from './addresses/customer-addresses.controller';
import { CustomerAddressesRepository } from './addresses/customer-addresses.repository';
import { CustomerAddressesService } from './addresses/customer-addresses.service';
import { AccountController } from './account.controller';
import { AccountService } from './account.service';
import { AuthController } from './auth.controller';
import { AuthenticationService } from './authentication.service';
import { CredentialsModule } from './credentials/credentials.module';
import { PasswordHasher } from './credentials/password-hasher.service';
import { PasswordPolicy } from './credentials/password-policy.service';
import { CsrfGuard } from './csrf/csrf.guard';
import {
  PASSWORD_HASHING,
  PASSWORD_RULES,
  SECURITY_EVENT_SINK,
  type PasswordRules,
  type SecurityEventSink,
} from './identity-ports';
import { LoginThrottle } from './login-throttle.service';
import { PasswordService } from './password.service';
import { SessionPrincipalResolver } from './principal-resolver.service';
import { RegistrationService } from './registration.service';
import { SignInListeners } from './sign-in-listeners';
import { SignInSessionService } from './sign-in-session.service';
import { StaffController } from './staff.controller';
import { StaffService } from './staff.service';
import { UsersRepository } from './users.repository';
import { MAILER_PROVIDER, SECOND_FACTORS_PROVIDER } from './identity-adapters';
import { PASSKEY_CONTROLLERS, PASSKEY_PROVIDERS } from './passkeys/passkeys.providers';

/**
 * The identity context: accounts, sign-in, MFA, sessions, roles and permissions. It provides the
 * principal resolver the global access guard uses, and the CSRF guard.
 */
@Global()
@Module({
  imports: [CredentialsModule],
  controllers: [
    AuthController,
    AccountController,
    StaffController,
    CustomerAddressesController,
    ...PASSKEY_CONTROLLERS,
  ],
  providers: [
    UsersRepository,
    CustomerAddressesRepository,
    CustomerAddressesService,
    AccountTokensService,
    LoginThrottle,
    SignInListeners,
    SignInSessionService,
    AuthenticationService,
    RegistrationService,
    PasswordService,
    AccountService,
    StaffService,
    CsrfGuard,
    { provide: PRINCIPAL_RESOLVER, useClass: SessionPrincipalResolver },
    { provide: PASSWORD_HASHING, useExisting: PasswordHasher },
    {
      provide: PASSWORD_RULES,
      inject: [PasswordPolicy],
      useFactory: (policy: PasswordPolicy): PasswordRules => ({
        check: (password, context) => policy.assertAcceptable(password, context),
      }),
    },
    {
      provide: SECURITY_EVENT_SINK,
      inject: [SecurityEvents],
      useFactory: (events: SecurityEvents): SecurityEventSink => ({
        emit: (
          context: AuditContext,
          name: string,
          details: Record<string, unknown>,
          target?: { type: string; id: string },
          manager?: EntityManager,
        ) =>
          events.emit(
            context,
            { name, details, target: target ?? null } as Parameters<SecurityEvents['emit']>[1],
            manager,
          ),
      }),
    },
    MAILER_PROVIDER,
    SECOND_FACTORS_PROVIDER,
    ...PASSKEY_PROVIDERS,
  ],
  exports: [PRINCIPAL_RESOLVER, CsrfGuard, StaffService, UsersRepository, SignInListeners],
})
export class IdentityModule {}
