import { Inject, Injectable } from '@nestjs/common';
import type {
  LoginResponse,
  PasskeyAssertionCredential,
  PasskeyAuthenticationOptionsResponse,
} from '@storefront/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { auditContextOf, type AuditActor } from '../../audit/audit-context';
import { DomainError } from '../../core/errors/domain-error';
import type { Principal } from '../../core/http/principal';
import { clearSessionCookie, setSessionCookie } from '../../session/session-cookie';
import { SessionService, type Session } from '../../session/session.service';
import { AuthenticationService, MAX_MFA_ATTEMPTS, actorOf } from '../authentication.service';
import { SECURITY_EVENT_SINK, type SecurityEventSink } from '../identity-ports';
import { LoginThrottle } from '../login-throttle.service';
import { rememberRequestSession } from '../request-session';
import { SignInSessionService } from '../sign-in-session.service';
import { UsersRepository } from '../users.repository';
import { PasskeyChallenges, type PasskeyCeremony } from './passkey-challenges.service';
import { PasskeyCredentialsRepository } from './passkey-credentials.repository';
import { WebauthnRelyingParty } from './webauthn-relying-party';

/** Why an assertion was refused, in the words of the security events. */
type AssertionFailure = 'invalid' | 'replayed' | 'expired';

/**
 * Signing in with a passkey: passwordless (a discoverable credential with user verification,
 * which is multi-factor on its own: something you have, unlocked by something you know or are),
 * as the second factor after a password, and as step-up re-authentication. Every ceremony
 * answers a challenge this server issued to this session for that ceremony, once.
 *
 * Passwordless sign-in keeps the promises of the password login: the same answer for an unknown
 * credential, a bad signature, a locked or a disabled account (`INVALID_CREDENTIALS`), throttling
 * per credential and per trusted client IP (the IP counter is the password login's, so spraying
 * across both endpoints adds up), and a new session id at sign-in.
 */
@Injectable()
export class PasskeySignInService {
  constructor(
    @Inject(PasskeyCredentialsRepository) private readonly passkeys: PasskeyCredentialsRepository,
    @Inject(PasskeyChallenges) private readonly challenges: PasskeyChallenges,
    @Inject(WebauthnRelyingParty) private readonly rp: WebauthnRelyingParty,
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(LoginThrottle) private readonly throttle: LoginThrottle,
    @Inject(SignInSessionService) private readonly signIn: SignInSessionService,
    @Inject(SessionService) private readonly sessions: SessionService,
    @Inject(AuthenticationService) private readonly authentication: AuthenticationService,
    @Inject(SECURITY_EVENT_SINK) private readonly events: SecurityEventSink,
  ) {}

  /** Options of an assertion ceremony whose challenge is kept for `session`. */
  private async assertionOptions(
    session: Session,
    ceremony: PasskeyCeremony,
    userId: string | null,
  ): Promise<PasskeyAuthenticationOptionsResponse> {
    const allow = userId === null ? [] : await this.passkeys.listForUser(userId);
    if (userId !== null && allow.length === 0) throw new DomainError('CONFLICT');
    const publicKey = await this.rp.requestOptions({
      challenge: this.challenges.newChallenge(),
      allow: allow.map((c) => ({ credentialId: c.credentialId, transports: c.transports })),
      // A second factor after the password needs presence only (the library's advice for
      // 2FA); sign-in without a password and step-up need user verification.
      userVerification: ceremony === 'second-factor' ? 'discouraged' : 'required',
    });
    await this.challenges.remember(session, ceremony, { challenge: publicKey.challenge, userId });
    return { publicKey, csrfToken: session.record.csrfToken };
  }

  /**
   * Checks an assertion of one of `userId`'s passkeys against the pending challenge of this
   * session's ceremony (taking it), then records the use. Null when it passed.
   */
  private async checkOwnAssertion(
    session: Session,
    ceremony: 'second-factor' | 'step-up',
    userId: string,
    credential: PasskeyAssertionCredential,
  ): Promise<AssertionFailure | null> {
    const pending = await this.challenges.take(session, ceremony);
    if (!pending || pending.userId !== userId) return 'expired';
    const stored = await this.passkeys.findForUser(userId, credential.id);
    if (!stored) return 'invalid';
    const verdict = await this.rp.verifyAssertion(
      credential,
      pending.challenge,
      stored,
      ceremony === 'step-up',
    );
    if (!verdict.ok) return verdict.reason === 'counter' ? 'replayed' : 'invalid';
    return (await this.passkeys.recordUse(userId, stored.id, verdict)) ? null : 'replayed';
  }

  /** The session of this request, or a new anonymous one (with its cookie). */
  private async sessionOf(request: FastifyRequest, reply: FastifyReply): Promise<Session> {
    const current = await this.signIn.current(request);
    if (current) return current;
    const created = await this.sessions.create();
    setSessionCookie(reply, created);
    rememberRequestSession(request, created);
    return created;
  }

  /** Begins passwordless sign-in: any discoverable passkey of this shop, user verification required. */
  async passwordlessOptions(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<PasskeyAuthenticationOptionsResponse> {
    return this.assertionOptions(await this.sessionOf(request, reply), 'passwordless', null);
  }

  /** Completes passwordless sign-in: a full session (the passkey is multi-factor on its own). */
  async signInWithPasskey(
    request: FastifyRequest,
    reply: FastifyReply,
    credential: PasskeyAssertionCredential,
  ): Promise<LoginResponse> {
    const context = auditContextOf(request);
    const throttleKey = `passkey:${credential.id}`;
    const verdict = await this.throttle.before(throttleKey, request.ip);
    const session = await this.signIn.current(request);
    const pending = session ? await this.challenges.take(session, 'passwordless') : null;
    const stored = await this.passkeys.findByCredentialId(credential.id);
    let valid = false;
    if (!verdict.locked && pending && stored) {
      // The authenticator must name the account the credential was registered to.
      if (credential.response.userHandle === stored.userHandle) {
        const checked = await this.rp.verifyAssertion(credential, pending.challenge, stored, true);
        valid = checked.ok && (await this.passkeys.recordUse(stored.userId, stored.id, checked));
      }
    }
    const user = stored ? await this.users.findById(stored.userId) : null;
    const target = user ? { type: 'user', id: user.id } : undefined;
    if (!valid || !user || user.status !== 'active') {
      return this.authentication.refuseSignIn(context, {
        throttleKey,
        clientAddress: request.ip,
        verdict,
        valid,
        user,
        method: 'passkey',
      });
    }
    await this.throttle.succeeded(throttleKey);
    if (!user.emailVerifiedAt) {
      await this.authentication.resendVerification(user);
      await this.events.emit(
        context,
        'auth.login.failed',
        { method: 'passkey', reason: 'unverified' },
        target,
      );
      throw new DomainError('EMAIL_NOT_VERIFIED');
    }
    const roles = await this.users.rolesOf(user.id);
    const next = await this.signIn.establish(
      request,
      reply,
      { id: user.id, kind: user.kind, roles },
      'full',
    );
    await this.events.emit(
      { ...context, actor: actorOf(user) },
      'auth.login.succeeded',
      { method: 'passkey', mfa: true },
      target,
    );
    return { status: 'authenticated', csrfToken: next.record.csrfToken };
  }

  /** The partial sign-in (password passed, second factor due) of this request. */
  private async partialSignIn(
    request: FastifyRequest,
  ): Promise<{ session: Session; userId: string; actor: AuditActor }> {
    const session = await this.signIn.current(request);
    const auth = session?.record.auth;
    const userId = session?.record.userId;
    if (!session || !auth || !userId || auth.level !== 'mfa-pending') {
      throw new DomainError('UNAUTHENTICATED');
    }
    return { session, userId, actor: { type: auth.kind, id: userId } };
  }

  /** Begins the second factor of a partial sign-in with one of the account's passkeys. */
  async secondFactorOptions(
    request: FastifyRequest,
  ): Promise<PasskeyAuthenticationOptionsResponse> {
    const { session, userId } = await this.partialSignIn(request);
    return this.assertionOptions(session, 'second-factor', userId);
  }

  /**
   * Completes a partial sign-in with a passkey. Failures count with the TOTP ones: the partial
   * sign-in ends after {@link MAX_MFA_ATTEMPTS}.
   */
  async verifySecondFactor(
    request: FastifyRequest,
    reply: FastifyReply,
    credential: PasskeyAssertionCredential,
  ): Promise<LoginResponse> {
    const { session, userId, actor } = await this.partialSignIn(request);
    const context = auditContextOf(request, actor);
    const target = { type: 'user', id: userId };
    const failure = await this.checkOwnAssertion(session, 'second-factor', userId, credential);
    if (failure) {
      await this.events.emit(
        context,
        'auth.mfa.challenge.failed',
        { factor: 'webauthn', purpose: 'login', reason: failure },
        target,
      );
      const attempts = Number(session.record.data['mfaFailures'] ?? '0') + 1;
      if (attempts >= MAX_MFA_ATTEMPTS) {
        await this.signIn.end(request, session);
        clearSessionCookie(reply);
      } else {
        session.record.data['mfaFailures'] = String(attempts);
        await this.signIn.save(session);
      }
      throw new DomainError('INVALID_MFA_CODE');
    }
    delete session.record.data['mfaFailures'];
    const next = await this.signIn.elevate(request, reply, session);
    await this.events.emit(
      context,
      'auth.mfa.challenge.succeeded',
      { factor: 'webauthn', purpose: 'login' },
      target,
    );
    await this.events.emit(
      context,
      'auth.login.succeeded',
      { method: 'password', mfa: true },
      target,
    );
    return { status: 'authenticated', csrfToken: next.record.csrfToken };
  }

  /** Begins a step-up with one of the account's passkeys. */
  stepUpOptions(principal: Principal): Promise<PasskeyAuthenticationOptionsResponse> {
    return this.assertionOptions(principal.session, 'step-up', principal.userId);
  }

  /** Step-up: proves with a passkey (user verification required) that it is still the holder. */
  async stepUp(
    request: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    credential: PasskeyAssertionCredential,
  ): Promise<LoginResponse> {
    const context = auditContextOf(request, { type: principal.kind, id: principal.userId });
    const target = { type: 'user', id: principal.userId };
    const failure = await this.checkOwnAssertion(
      principal.session,
      'step-up',
      principal.userId,
      credential,
    );
    await this.events.emit(
      context,
      failure ? 'auth.mfa.challenge.failed' : 'auth.mfa.challenge.succeeded',
      failure
        ? { factor: 'webauthn', purpose: 'step_up', reason: failure }
        : { factor: 'webauthn', purpose: 'step_up' },
      target,
    );
    if (failure) throw new DomainError('INVALID_CREDENTIALS');
    const next = await this.signIn.reauthenticated(request, reply, principal.session);
    return { status: 'authenticated', csrfToken: next.record.csrfToken };
  }
}
