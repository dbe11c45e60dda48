import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AcceptedResponse, RegisterRequest } from '@storefront/contracts';
import type { FastifyRequest } from 'fastify';
import { auditContextOf, type AuditContext } from '../audit/audit-context';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DomainError } from '../core/errors/domain-error';
import { FIELD_CIPHER, type FieldCipher } from '../privacy/encryption/field-cipher';
import { AccountTokensService } from './account-tokens.service';
import { User } from './entities';
import {
  ACCOUNT_MAILER,
  PASSWORD_HASHING,
  PASSWORD_RULES,
  SECURITY_EVENT_SINK,
  type AccountMailer,
  type PasswordHashing,
  type PasswordRules,
  type SecurityEventSink,
} from './identity-ports';
import { UsersRepository } from './users.repository';

/** The one answer to a registration, whatever happened. */
export const REGISTRATION_ACCEPTED: AcceptedResponse = {
  status: 'accepted',
  message: 'Check your inbox: we have sent you a link to confirm your address.',
};

/**
 * Customer registration with email verification. The answer never reveals whether the address
 * already has an account: both paths hash the password (same cost) and send one email — a
 * confirmation link for a new account, an "you already have an account" notice otherwise.
 * Only `email`, `password`, `displayName` and `locale` are accepted (a `role` field is a 400):
 * every new account is a customer. `locale` (the sign-up page's language) becomes the account's
 * email language.
 */
@Injectable()
export class RegistrationService {
  private readonly logger = new Logger(RegistrationService.name);

  constructor(
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(AccountTokensService) private readonly tokens: AccountTokensService,
    @Inject(PASSWORD_HASHING) private readonly hashing: PasswordHashing,
    @Inject(PASSWORD_RULES) private readonly rules: PasswordRules,
    @Inject(ACCOUNT_MAILER) private readonly mailer: AccountMailer,
    @Inject(SECURITY_EVENT_SINK) private readonly events: SecurityEventSink,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async register(request: FastifyRequest, body: RegisterRequest): Promise<AcceptedResponse> {
    const email = body.email.trim();
    const locale = body.locale;
    // The policy depends only on the password and the address typed: same answer either way.
    await this.rules.check(body.password, { kind: 'customer', email });
    const passwordHash = await this.hashing.hash(body.password);
    const emailIndex = this.users.emailIndexOf(email);
    const context = auditContextOf(request);
    // The account (or the "already registered" notice) is written after the answer, so the
    // response time does not depend on which of the two it is.
    void this.createOrNotify(
      context,
      email,
      locale,
      body.displayName,
      passwordHash,
      emailIndex,
    ).catch((error: unknown) => {
      this.logger.error(`registration not completed: ${String(error)}`);
    });
    return REGISTRATION_ACCEPTED;
  }

  private async createOrNotify(
    context: AuditContext,
    email: string,
    locale: 'en' | 'fr',
    displayName: string | undefined,
    passwordHash: string,
    emailIndex: string,
  ): Promise<void> {
    await this.users.transaction(async (manager) => {
      const existing = await this.users.findByEmailIndex(emailIndex, manager);
      if (existing) {
        // A mail about an account: in that account's language, not the sign-up page's.
        await this.mailer.send(manager, {
          template: 'account-exists',
          to: email,
          locale: existing.locale,
          params: {},
        });
        return;
      }
      const id = randomUUID();
      const field = (column: string) => ({ table: 'users', column, rowId: id });
      const inserted = await manager.query<Array<{ id: string }>>(
        `INSERT INTO users (id, kind, email_sealed, email_index, display_name_sealed, password_hash,
                            status, password_changed_at, locale)
         VALUES ($1, 'customer', $2, $3, $4, $5, 'active', now(), $6)
         ON CONFLICT (email_index) DO NOTHING RETURNING id`,
        [
          id,
          await this.cipher.encrypt(email, field('email')),
          emailIndex,
          displayName ? await this.cipher.encrypt(displayName, field('display_name')) : null,
          passwordHash,
          locale,
        ],
      );
      if (inserted.length === 0) {
        // Lost a race with a concurrent registration of the same address: same answer.
        await this.mailer.send(manager, {
          template: 'account-exists',
          to: email,
          locale,
          params: {},
        });
        return;
      }
      await this.users.setRoles(manager, id, ['customer'], null);
      const token = await this.tokens.issue(
        manager,
        id,
        'verify-email',
        this.config.identity.emailVerificationTtlSeconds,
      );
      await this.mailer.send(manager, {
        template: 'verify-email',
        to: email,
        locale,
        params: { token },
      });
      await this.events.emit(
        { ...context, actor: { type: 'customer', id } },
        'account.registered',
        {},
        { type: 'user', id },
        manager,
      );
    });
  }

  /** Confirms an address from the emailed link (single use). */
  async verifyEmail(token: string): Promise<void> {
    await this.users.transaction(async (manager) => {
      const consumed = await this.tokens.consume(manager, token, 'verify-email');
      if (!consumed) throw new DomainError('INVALID_TOKEN');
      await manager.update(User, { id: consumed.userId }, { emailVerifiedAt: new Date() });
    });
  }
}
