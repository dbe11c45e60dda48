import { Inject, Injectable } from '@nestjs/common';
import type {
  AcceptedResponse,
  Profile,
  RecoveryCodes,
  Revoked,
  SessionList,
  TotpEnrolment,
  UpdateProfileRequest,
} from '@storefront/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { auditContextOf } from '../audit/audit-context';
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
  SECOND_FACTORS,
  SECURITY_EVENT_SINK,
  type AccountMailer,
  type SecondFactors,
  type SecurityEventSink,
} from './identity-ports';
import { SignInSessionService } from './sign-in-session.service';
import { UsersRepository } from './users.repository';

/**
 * A signed-in user's own account: profile, email change, sessions and second factors. Every
 * method takes the principal and touches only that principal's rows: another user's session
 * handle is simply not found (404).
 */
@Injectable()
export class AccountService {
  constructor(
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(AccountTokensService) private readonly tokens: AccountTokensService,
    @Inject(SessionService) private readonly sessions: SessionService,
    @Inject(SignInSessionService) private readonly signIn: SignInSessionService,
    @Inject(SECOND_FACTORS) private readonly factors: SecondFactors,
    @Inject(ACCOUNT_MAILER) private readonly mailer: AccountMailer,
    @Inject(SECURITY_EVENT_SINK) private readonly events: SecurityEventSink,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private async user(principal: Principal): Promise<User> {
    const user = await this.users.findById(principal.userId);
    if (!user || user.status !== 'active') throw new DomainError('UNAUTHENTICATED');
    return user;
  }

  private open(user: User, column: 'email' | 'display_name', sealed: string): Promise<string> {
    return this.cipher.decrypt(sealed, { table: 'users', column, rowId: user.id });
  }

  async profile(principal: Principal): Promise<Profile> {
    const user = await this.user(principal);
    const factors = await this.factors.enrolledFactors(user.id);
    return {
      id: user.id,
      kind: user.kind,
      email: await this.open(user, 'email', user.emailSealed),
      displayName: user.displayNameSealed
        ? await this.open(user, 'display_name', user.displayNameSealed)
        : null,
      locale: user.locale,
      roles: await this.users.rolesOf(user.id),
      mfa: {
        totp: factors.totp,
        passkeys: factors.passkeys,
        recoveryCodesRemaining: await this.factors.recoveryCodesRemaining(user.id),
      },
    };
  }

  /** Changes the display name and/or the language of the account's emails (the fields sent). */
  async updateProfile(principal: Principal, changes: UpdateProfileRequest): Promise<Profile> {
    const user = await this.user(principal);
    const update: Partial<Pick<User, 'displayNameSealed' | 'locale'>> = {};
    if (changes.displayName !== undefined) {
      update.displayNameSealed =
        changes.displayName === null
          ? null
          : await this.cipher.encrypt(changes.displayName, {
              table: 'users',
              column: 'display_name',
              rowId: user.id,
            });
    }
    if (changes.locale !== undefined) update.locale = changes.locale;
    await this.users.transaction((m) => m.update(User, { id: user.id }, update));
    return this.profile(principal);
  }

  /**
   * Starts an email change (step-up required by the route): a confirmation link goes to the new
   * address, a notice to the old one. The same answer whether or not the new address is taken.
   */
  async requestEmailChange(
    request: FastifyRequest,
    principal: Principal,
    newEmail: string,
  ): Promise<AcceptedResponse> {
    const user = await this.user(principal);
    const to = newEmail.trim();
    await this.users.transaction(async (manager) => {
      const taken = await this.users.findByEmailIndex(this.users.emailIndexOf(to), manager);
      if (taken) {
        // Written to the holder of the other account: in that account's language.
        await this.mailer.send(manager, {
          template: 'account-exists',
          to,
          locale: taken.locale,
          params: {},
        });
        return;
      }
      const token = await this.tokens.issue(
        manager,
        user.id,
        'change-email',
        this.config.identity.emailVerificationTtlSeconds,
        (tokenId) =>
          this.cipher.encrypt(to, { table: 'account_tokens', column: 'payload', rowId: tokenId }),
      );
      await this.mailer.send(manager, {
        template: 'email-change-confirm',
        to,
        locale: user.locale,
        params: { token },
      });
      await this.events.emit(
        auditContextOf(request, actorOf(user)),
        'account.email.change.requested',
        {},
        { type: 'user', id: user.id },
        manager,
      );
    });
    return {
      status: 'accepted',
      message: 'Check the new address: we have sent it a confirmation link.',
    };
  }

  /** Completes an email change from the link sent to the new address. */
  async confirmEmailChange(request: FastifyRequest, token: string): Promise<void> {
    const changed = await this.users.transaction(async (manager) => {
      const consumed = await this.tokens.consume(manager, token, 'change-email');
      if (!consumed?.payloadSealed) return null;
      const user = await this.users.findById(consumed.userId, manager);
      if (!user) return null;
      const next = await this.cipher.decrypt(consumed.payloadSealed, {
        table: 'account_tokens',
        column: 'payload',
        rowId: consumed.id,
      });
      const previous = await this.open(user, 'email', user.emailSealed);
      const updated = await manager.query<[unknown[], number]>(
        `UPDATE users SET email_sealed = $2, email_index = $3, email_verified_at = now(), updated_at = now()
          WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM users WHERE email_index = $3)`,
        [
          user.id,
          await this.cipher.encrypt(next, { table: 'users', column: 'email', rowId: user.id }),
          this.users.emailIndexOf(next),
        ],
      );
      if (updated[1] !== 1) return null;
      await this.mailer.send(manager, {
        template: 'email-changed',
        to: previous,
        locale: user.locale,
        params: {},
      });
      await this.events.emit(
        auditContextOf(request, actorOf(user)),
        'account.email.changed',
        { verified: true },
        { type: 'user', id: user.id },
        manager,
      );
      return user;
    });
    if (!changed) throw new DomainError('INVALID_TOKEN');
  }

  async listSessions(principal: Principal): Promise<SessionList> {
    const records = await this.sessions.listForUser(principal.userId);
    return {
      sessions: records.map((r) => ({
        id: r.handle,
        current: r.handle === principal.session.record.handle,
        client: r.client,
        createdAt: new Date(r.createdAt).toISOString(),
        lastSeenAt: new Date(r.lastSeenAt).toISOString(),
      })),
    };
  }

  async revokeSession(
    request: FastifyRequest,
    principal: Principal,
    handle: string,
  ): Promise<void> {
    const ctx = auditContextOf(request, { type: principal.kind, id: principal.userId });
    if (
      !(await this.sessions.destroyByHandle(principal.userId, handle, {
        ctx,
        reason: 'user_request',
      }))
    ) {
      throw new DomainError('NOT_FOUND');
    }
  }

  async revokeOtherSessions(request: FastifyRequest, principal: Principal): Promise<Revoked> {
    const count = await this.sessions.destroyOthersForUser(principal.userId, principal.session, {
      ctx: auditContextOf(request, { type: principal.kind, id: principal.userId }),
      reason: 'user_request',
    });
    return { revoked: count };
  }

  async beginTotp(principal: Principal): Promise<TotpEnrolment> {
    const user = await this.user(principal);
    if ((await this.factors.enrolledFactors(user.id)).totp) throw new DomainError('CONFLICT');
    return this.factors.beginTotp(user.id, await this.open(user, 'email', user.emailSealed));
  }

  /**
   * Confirms TOTP with a first code and returns the recovery codes (shown once). A staff member
   * finishing the enrolment forced at first sign-in becomes fully signed in, on a new session id.
   */
  async confirmTotp(
    request: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    code: string,
  ): Promise<RecoveryCodes> {
    const user = await this.user(principal);
    const recoveryCodes = await this.factors.confirmTotp(user.id, code);
    if (!recoveryCodes) throw new DomainError('INVALID_MFA_CODE');
    const context = auditContextOf(request, actorOf(user));
    await this.events.emit(
      context,
      'auth.mfa.enrolled',
      { factor: 'totp' },
      { type: 'user', id: user.id },
    );
    await this.users.transaction((manager) => this.notifyMfaChange(manager, user, 'totp-enabled'));
    const next =
      principal.level === 'mfa-enrolment'
        ? await this.signIn.elevate(request, reply, principal.session)
        : await this.signIn.reauthenticated(request, reply, principal.session);
    return { recoveryCodes, csrfToken: next.record.csrfToken };
  }

  async removeTotp(request: FastifyRequest, principal: Principal): Promise<void> {
    const user = await this.user(principal);
    // Staff must always keep a second factor.
    if (user.kind === 'staff') throw new DomainError('FORBIDDEN');
    await this.factors.removeTotp(user.id);
    await this.events.emit(
      auditContextOf(request, actorOf(user)),
      'auth.mfa.removed',
      { factor: 'totp' },
      { type: 'user', id: user.id },
    );
    await this.users.transaction((manager) => this.notifyMfaChange(manager, user, 'totp-disabled'));
  }

  async regenerateRecoveryCodes(
    request: FastifyRequest,
    principal: Principal,
  ): Promise<{ recoveryCodes: string[] }> {
    const user = await this.user(principal);
    if (!(await this.factors.isEnrolled(user.id))) throw new DomainError('CONFLICT');
    const recoveryCodes = await this.factors.regenerateRecoveryCodes(user.id);
    await this.events.emit(
      auditContextOf(request, actorOf(user)),
      'auth.mfa.recovery_codes.regenerated',
      { count: recoveryCodes.length },
      { type: 'user', id: user.id },
    );
    return { recoveryCodes };
  }

  private async notifyMfaChange(
    manager: Parameters<AccountMailer['send']>[0],
    user: User,
    change: 'totp-enabled' | 'totp-disabled',
  ): Promise<void> {
    await this.mailer.send(manager, {
      template: 'mfa-changed',
      to: await this.open(user, 'email', user.emailSealed),
      locale: user.locale,
      params: { change },
    });
  }
}
