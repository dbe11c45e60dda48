import { Inject, Injectable, Logger } from '@nestjs/common';
import type {
  AcceptedResponse,
  ChangePasswordRequest,
  PasswordResetComplete,
} from '@storefront/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { auditContextOf, type AuditContext } from '../audit/audit-context';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DomainError } from '../core/errors/domain-error';
import type { Principal } from '../core/http/principal';
import { FIELD_CIPHER, type FieldCipher } from '../privacy/encryption/field-cipher';
import { SessionService } from '../session/session.service';
import { AccountTokensService } from './account-tokens.service';
import { actorOf } from './authentication.service';
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
import { SignInSessionService } from './sign-in-session.service';
import { UsersRepository } from './users.repository';

/** The one answer to a reset request, whether or not the address has an account. */
export const RESET_ACCEPTED: AcceptedResponse = {
  status: 'accepted',
  message: 'If an account uses this address, we have sent it a link to choose a new password.',
};

/**
 * Password change (needs the current password; offers to end the other sessions) and reset by
 * an emailed single-use token (32 random bytes, stored hashed, 1 h). A completed reset ends every
 * session of the account and every other outstanding reset link.
 */
@Injectable()
export class PasswordService {
  private readonly logger = new Logger(PasswordService.name);

  constructor(
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(AccountTokensService) private readonly tokens: AccountTokensService,
    @Inject(SessionService) private readonly sessions: SessionService,
    @Inject(SignInSessionService) private readonly signIn: SignInSessionService,
    @Inject(PASSWORD_HASHING) private readonly hashing: PasswordHashing,
    @Inject(PASSWORD_RULES) private readonly rules: PasswordRules,
    @Inject(ACCOUNT_MAILER) private readonly mailer: AccountMailer,
    @Inject(SECURITY_EVENT_SINK) private readonly events: SecurityEventSink,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private emailOf(user: User): Promise<string> {
    return this.cipher.decrypt(user.emailSealed, {
      table: 'users',
      column: 'email',
      rowId: user.id,
    });
  }

  async change(
    request: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    body: ChangePasswordRequest,
  ): Promise<{ csrfToken: string }> {
    const user = await this.users.findById(principal.userId);
    if (!user?.passwordHash) throw new DomainError('UNAUTHENTICATED');
    const context = auditContextOf(request, actorOf(user));
    const target = { type: 'user', id: user.id };
    if (!(await this.hashing.verify(user.passwordHash, body.currentPassword)).valid) {
      await this.events.emit(
        context,
        'auth.password.change.failed',
        { reason: 'wrong_current_password' },
        target,
      );
      throw new DomainError('INVALID_CREDENTIALS');
    }
    const email = await this.emailOf(user);
    try {
      await this.rules.check(body.newPassword, { kind: user.kind, email });
    } catch (error) {
      await this.events.emit(context, 'auth.password.change.failed', { reason: 'policy' }, target);
      throw error;
    }
    const passwordHash = await this.hashing.hash(body.newPassword);
    await this.users.transaction(async (manager) => {
      await manager.update(User, { id: user.id }, { passwordHash, passwordChangedAt: new Date() });
      await this.tokens.revokeAll(manager, user.id, 'password-reset');
      await this.mailer.send(manager, {
        template: 'password-changed',
        to: email,
        locale: user.locale,
        params: {},
      });
      await this.events.emit(
        context,
        'auth.password.changed',
        { otherSessionsRevoked: body.signOutOtherSessions },
        target,
        manager,
      );
    });
    // A privilege-relevant change: this session gets a new id; the others end if asked.
    const next = await this.signIn.reauthenticated(request, reply, principal.session);
    if (body.signOutOtherSessions) {
      await this.sessions.destroyOthersForUser(user.id, next, {
        ctx: context,
        reason: 'password_changed',
      });
    }
    return { csrfToken: next.record.csrfToken };
  }

  /**
   * Answers at once, the same for every address; for an active account the link is issued and
   * queued after the answer, so the response time does not tell whether the address is registered.
   */
  async requestReset(request: FastifyRequest, emailTyped: string): Promise<AcceptedResponse> {
    const user = await this.users.findByEmailIndex(this.users.emailIndexOf(emailTyped));
    if (user?.status === 'active') {
      const context = auditContextOf(request);
      void this.issueReset(context, user).catch((error: unknown) => {
        this.logger.error(`password reset link not issued: ${String(error)}`);
      });
    }
    return RESET_ACCEPTED;
  }

  private async issueReset(context: AuditContext, user: User): Promise<void> {
    await this.users.transaction(async (manager) => {
      const token = await this.tokens.issue(
        manager,
        user.id,
        'password-reset',
        this.config.identity.passwordResetTtlSeconds,
      );
      await this.mailer.send(manager, {
        template: 'password-reset',
        to: await this.emailOf(user),
        locale: user.locale,
        params: { token },
      });
      await this.events.emit(
        context,
        'auth.password.reset.requested',
        {},
        { type: 'user', id: user.id },
        manager,
      );
    });
  }

  async completeReset(request: FastifyRequest, body: PasswordResetComplete): Promise<void> {
    const context = auditContextOf(request);
    const consumed = await this.users.transaction(async (manager) => {
      const token = await this.tokens.consume(manager, body.token, 'password-reset');
      if (!token) return null;
      const user = await this.users.findById(token.userId, manager);
      if (!user || user.status !== 'active') return null;
      // Policy failure rolls the transaction back: the link stays usable for a better password.
      await this.rules.check(body.password, { kind: user.kind, email: await this.emailOf(user) });
      await manager.update(
        User,
        { id: user.id },
        {
          passwordHash: await this.hashing.hash(body.password),
          passwordChangedAt: new Date(),
          // Receiving the link proves control of the address.
          emailVerifiedAt: user.emailVerifiedAt ?? new Date(),
        },
      );
      await this.tokens.revokeAll(manager, user.id, 'password-reset');
      await this.mailer.send(manager, {
        template: 'password-changed',
        to: await this.emailOf(user),
        locale: user.locale,
        params: {},
      });
      return user;
    });
    if (!consumed) {
      await this.events.emit(context, 'auth.password.reset.failed', { reason: 'invalid_token' });
      throw new DomainError('INVALID_TOKEN');
    }
    const revoked = await this.sessions.destroyAllForUser(consumed.id, {
      ctx: { ...context, actor: actorOf(consumed) },
      reason: 'password_reset',
    });
    await this.events.emit(
      { ...context, actor: actorOf(consumed) },
      'auth.password.reset.completed',
      { sessionsRevoked: revoked },
      { type: 'user', id: consumed.id },
    );
  }
}
