import { Inject, Injectable } from '@nestjs/common';
import type {
  LoginRequest,
  LoginResponse,
  MfaVerifyRequest,
  ReauthenticateRequest,
  SessionState,
} from '@storefront/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ANONYMOUS,
  auditContextOf,
  type AuditActor,
  type AuditContext,
} from '../audit/audit-context';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DomainError } from '../core/errors/domain-error';
import type { Principal } from '../core/http/principal';
import { FIELD_CIPHER, type FieldCipher } from '../privacy/encryption/field-cipher';
import { clearSessionCookie } from '../session/session-cookie';
import type { Session, SessionAuth } from '../session/session.service';
import { AccountTokensService } from './account-tokens.service';
import type { User } from './entities';
import {
  ACCOUNT_MAILER,
  PASSWORD_HASHING,
  SECOND_FACTORS,
  SECURITY_EVENT_SINK,
  type AccountMailer,
  type PasswordHashing,
  type SecondFactors,
  type SecurityEventSink,
} from './identity-ports';
import { LoginThrottle, type ThrottleVerdict } from './login-throttle.service';
import { SignInSessionService } from './sign-in-session.service';
import { UsersRepository } from './users.repository';

/** Failed second-factor attempts allowed on one partial sign-in before it is ended. */
export const MAX_MFA_ATTEMPTS = 5;

function statusOf(level: SessionAuth['level']): LoginResponse['status'] {
  return level === 'full'
    ? 'authenticated'
    : level === 'mfa-pending'
      ? 'mfa-required'
      : 'mfa-enrolment-required';
}

/** The audit actor of a signed-in user. */
export function actorOf(user: { id: string; kind: 'customer' | 'staff' }): AuditActor {
  return { type: user.kind, id: user.id };
}

/**
 * Sign-in, second factor, step-up and sign-out. Unknown accounts, wrong passwords, locked and
 * disabled accounts all get the same answer after the same work (a dummy argon2 verification for
 * unknown ones), so neither the response nor its timing tells whether an email is registered.
 */
@Injectable()
export class AuthenticationService {
  constructor(
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(LoginThrottle) private readonly throttle: LoginThrottle,
    @Inject(SignInSessionService) private readonly signIn: SignInSessionService,
    @Inject(AccountTokensService) private readonly tokens: AccountTokensService,
    @Inject(PASSWORD_HASHING) private readonly hashing: PasswordHashing,
    @Inject(SECOND_FACTORS) private readonly factors: SecondFactors,
    @Inject(ACCOUNT_MAILER) private readonly mailer: AccountMailer,
    @Inject(SECURITY_EVENT_SINK) private readonly events: SecurityEventSink,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Password sign-in. */
  async login(
    request: FastifyRequest,
    reply: FastifyReply,
    body: LoginRequest,
  ): Promise<LoginResponse> {
    const context = auditContextOf(request);
    const emailIndex = this.users.emailIndexOf(body.email);
    const verdict = await this.throttle.before(emailIndex, request.ip);
    const user = await this.users.findByEmailIndex(emailIndex);

    let valid = false;
    let needsRehash = false;
    if (verdict.locked || !user?.passwordHash) {
      await this.hashing.verifyDummy(body.password);
    } else {
      ({ valid, needsRehash } = await this.hashing.verify(user.passwordHash, body.password));
    }
    if (!valid || !user || user.status !== 'active') {
      return this.refuseSignIn(context, {
        throttleKey: emailIndex,
        clientAddress: request.ip,
        verdict,
        valid,
        user,
        method: 'password',
      });
    }

    await this.throttle.succeeded(emailIndex);
    if (needsRehash) {
      await this.users.transaction(async (m) => {
        await m.update(
          'users',
          { id: user.id },
          { passwordHash: await this.hashing.hash(body.password) },
        );
      });
    }
    if (!user.emailVerifiedAt) {
      await this.resendVerification(user);
      await this.events.emit(
        context,
        'auth.login.failed',
        { method: 'password', reason: 'unverified' },
        { type: 'user', id: user.id },
      );
      throw new DomainError('EMAIL_NOT_VERIFIED');
    }

    const roles = await this.users.rolesOf(user.id);
    const enrolled = await this.factors.isEnrolled(user.id);
    const level: SessionAuth['level'] = enrolled
      ? 'mfa-pending'
      : user.kind === 'staff'
        ? 'mfa-enrolment'
        : 'full';
    const session = await this.signIn.establish(
      request,
      reply,
      { id: user.id, kind: user.kind, roles },
      level,
    );
    if (level === 'full') {
      await this.events.emit(
        { ...context, actor: actorOf(user) },
        'auth.login.succeeded',
        { method: 'password', mfa: false },
        { type: 'user', id: user.id },
      );
    }
    return {
      status: statusOf(level),
      csrfToken: session.record.csrfToken,
      ...(level === 'mfa-pending'
        ? { secondFactors: await this.factors.availableAtSignIn(user.id) }
        : {}),
    };
  }

  /** Emails a new verification link (a sign-in of an unverified account is refused). */
  /**
   * Refuses a sign-in (password or passkey) the same way whatever the cause — wrong credential,
   * unknown account, locked, disabled: counts the failure (unless already locked), reports the
   * lockout it may start and the failure, then throws `INVALID_CREDENTIALS`.
   */
  async refuseSignIn(
    context: AuditContext,
    attempt: {
      throttleKey: string;
      clientAddress: string;
      verdict: ThrottleVerdict;
      valid: boolean;
      user: { id: string; status: string } | null;
      method: 'password' | 'passkey';
    },
  ): Promise<never> {
    const { verdict, valid, user } = attempt;
    const target = user ? { type: 'user', id: user.id } : undefined;
    const reason = verdict.locked
      ? 'locked'
      : valid && user?.status === 'disabled'
        ? 'disabled'
        : 'invalid_credentials';
    if (
      !verdict.locked &&
      (await this.throttle.failed(attempt.throttleKey, attempt.clientAddress))
    ) {
      await this.events.emit(
        context,
        'auth.lockout.started',
        {
          scope:
            verdict.accountFailures + 1 >= this.config.identity.lockoutThreshold
              ? 'account'
              : 'client',
          failures: verdict.accountFailures + 1,
          lockSeconds: this.config.identity.lockoutSeconds,
        },
        target,
      );
    }
    await this.events.emit(
      context,
      'auth.login.failed',
      { method: attempt.method, reason },
      target,
    );
    throw new DomainError('INVALID_CREDENTIALS');
  }

  async resendVerification(user: User): Promise<void> {
    await this.users.transaction(async (manager) => {
      const token = await this.tokens.issue(
        manager,
        user.id,
        'verify-email',
        this.config.identity.emailVerificationTtlSeconds,
      );
      const to = await this.cipher.decrypt(user.emailSealed, {
        table: 'users',
        column: 'email',
        rowId: user.id,
      });
      await this.mailer.send(manager, {
        template: 'verify-email',
        to,
        locale: user.locale,
        params: { token },
      });
    });
  }

  /** Second factor of a partial sign-in. */
  async verifySecondFactor(
    request: FastifyRequest,
    reply: FastifyReply,
    body: MfaVerifyRequest,
  ): Promise<LoginResponse> {
    const session = await this.signIn.current(request);
    const auth = session?.record.auth;
    const userId = session?.record.userId;
    if (!session || !auth || !userId || auth.level !== 'mfa-pending') {
      throw new DomainError('UNAUTHENTICATED');
    }
    const actor: AuditActor = { type: auth.kind, id: userId };
    const context = auditContextOf(request, actor);
    const ok =
      body.method === 'totp'
        ? await this.factors.verifyTotp(userId, body.code)
        : await this.factors.useRecoveryCode(userId, body.code);
    const factor = body.method === 'totp' ? 'totp' : 'recovery_code';
    if (!ok) {
      await this.events.emit(
        context,
        'auth.mfa.challenge.failed',
        { factor, purpose: 'login', reason: 'invalid' },
        { type: 'user', id: userId },
      );
      const attempts = Number(session.record.data['mfaFailures'] ?? '0') + 1;
      if (attempts >= MAX_MFA_ATTEMPTS) {
        await this.signIn.end(request, session);
        clearSessionCookie(reply);
      } else {
        session.record.data['mfaFailures'] = String(attempts);
        await this.sessionsSave(session);
      }
      throw new DomainError('INVALID_MFA_CODE');
    }
    delete session.record.data['mfaFailures'];
    const next = await this.signIn.elevate(request, reply, session);
    await this.events.emit(
      context,
      'auth.mfa.challenge.succeeded',
      { factor, purpose: 'login' },
      { type: 'user', id: userId },
    );
    await this.events.emit(
      context,
      'auth.login.succeeded',
      { method: 'password', mfa: true },
      { type: 'user', id: userId },
    );
    return { status: 'authenticated', csrfToken: next.record.csrfToken };
  }

  private sessionsSave(session: Session): Promise<void> {
    return this.signIn.save(session);
  }

  /**
   * Step-up: proves it is still the account holder. Accounts with a second factor must give a
   * code (a stolen password alone is not enough); others give their password.
   */
  async reauthenticate(
    request: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    body: ReauthenticateRequest,
  ): Promise<LoginResponse> {
    const user = await this.users.findById(principal.userId);
    if (!user) throw new DomainError('UNAUTHENTICATED');
    const context = auditContextOf(request, actorOf(user));
    let ok = false;
    if (await this.factors.isEnrolled(user.id)) {
      const code = body.code ?? '';
      const factor = /^\d{6}$/.test(code) ? 'totp' : 'recovery_code';
      ok =
        code !== '' &&
        (factor === 'totp'
          ? await this.factors.verifyTotp(user.id, code)
          : await this.factors.useRecoveryCode(user.id, code));
      await this.events.emit(
        context,
        ok ? 'auth.mfa.challenge.succeeded' : 'auth.mfa.challenge.failed',
        ok ? { factor, purpose: 'step_up' } : { factor, purpose: 'step_up', reason: 'invalid' },
        { type: 'user', id: user.id },
      );
    } else if (body.password !== undefined && user.passwordHash) {
      ok = (await this.hashing.verify(user.passwordHash, body.password)).valid;
    } else if (body.password !== undefined) {
      await this.hashing.verifyDummy(body.password);
    }
    if (!ok) throw new DomainError('INVALID_CREDENTIALS');
    const next = await this.signIn.reauthenticated(request, reply, principal.session);
    return { status: 'authenticated', csrfToken: next.record.csrfToken };
  }

  /** Signs out: the session ends on the server, not only in the browser. */
  async logout(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const session = await this.signIn.current(request);
    if (session) {
      const auth = session.record.auth;
      const actor: AuditActor =
        auth && session.record.userId ? { type: auth.kind, id: session.record.userId } : ANONYMOUS;
      await this.signIn.end(request, session, {
        ctx: auditContextOf(request, actor),
        reason: 'logout',
      });
    }
    clearSessionCookie(reply);
  }

  /** Where the caller's session stands, and its CSRF token. */
  async state(request: FastifyRequest): Promise<SessionState> {
    const session = await this.signIn.current(request);
    const auth = session?.record.auth ?? null;
    return {
      authenticated: auth?.level === 'full',
      status: auth ? statusOf(auth.level) : null,
      kind: auth?.kind ?? null,
      csrfToken: session?.record.csrfToken ?? null,
    };
  }
}
