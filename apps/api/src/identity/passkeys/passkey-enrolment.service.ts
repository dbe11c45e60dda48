import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type {
  PasskeyEnrolled,
  PasskeyList,
  PasskeyRegistrationOptionsResponse,
  PasskeyRegistrationRequest,
  PasskeySummary,
} from '@storefront/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { auditContextOf } from '../../audit/audit-context';
import { DomainError } from '../../core/errors/domain-error';
import type { Principal } from '../../core/http/principal';
import {
  FIELD_CIPHER,
  type FieldCipher,
  type FieldContext,
} from '../../privacy/encryption/field-cipher';
import { actorOf } from '../authentication.service';
import type { User } from '../entities';
import {
  ACCOUNT_MAILER,
  SECOND_FACTORS,
  SECURITY_EVENT_SINK,
  type AccountMailer,
  type SecondFactors,
  type SecurityEventSink,
} from '../identity-ports';
import { SignInSessionService } from '../sign-in-session.service';
import { UsersRepository } from '../users.repository';
import { PasskeyChallenges } from './passkey-challenges.service';
import { PasskeyCredentialsRepository } from './passkey-credentials.repository';
import type { WebauthnCredential } from './webauthn-credential.entity';
import { WebauthnRelyingParty, knownTransports } from './webauthn-relying-party';

/** Passkeys one account may hold: plenty for every device, not a storage sink. */
export const MAX_PASSKEYS_PER_ACCOUNT = 10;
/** Name of a passkey registered without one. */
const DEFAULT_NAME = 'Passkey';
/** WebAuthn user handles: 32 random bytes, never the account id or anything personal. */
const USER_HANDLE_BYTES = 32;

const nameContext = (id: string): FieldContext => ({
  table: 'webauthn_credentials',
  column: 'name',
  rowId: id,
});

/**
 * The account holder's passkeys: registration (also as the second factor a staff member must
 * enrol at first sign-in), list, rename, removal. Every method acts on the principal's own
 * passkeys only; another account's passkey is not found (404). Registration and removal are
 * step-up actions (declared on the routes); a staff member keeps at least one second factor.
 */
@Injectable()
export class PasskeyEnrolmentService {
  constructor(
    @Inject(PasskeyCredentialsRepository) private readonly passkeys: PasskeyCredentialsRepository,
    @Inject(PasskeyChallenges) private readonly challenges: PasskeyChallenges,
    @Inject(WebauthnRelyingParty) private readonly rp: WebauthnRelyingParty,
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(SignInSessionService) private readonly signIn: SignInSessionService,
    @Inject(SECOND_FACTORS) private readonly factors: SecondFactors,
    @Inject(ACCOUNT_MAILER) private readonly mailer: AccountMailer,
    @Inject(SECURITY_EVENT_SINK) private readonly events: SecurityEventSink,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
  ) {}

  private async user(principal: Principal): Promise<User> {
    const user = await this.users.findById(principal.userId);
    if (!user || user.status !== 'active') throw new DomainError('UNAUTHENTICATED');
    return user;
  }

  private emailOf(user: User): Promise<string> {
    return this.cipher.decrypt(user.emailSealed, {
      table: 'users',
      column: 'email',
      rowId: user.id,
    });
  }

  private async summaryOf(row: WebauthnCredential): Promise<PasskeySummary> {
    return {
      id: row.id,
      name: await this.cipher.decrypt(row.nameSealed, nameContext(row.id)),
      createdAt: row.createdAt.toISOString(),
      lastUsedAt: row.lastUsedAt ? row.lastUsedAt.toISOString() : null,
      synced: row.backedUp,
      transports: knownTransports(row.transports),
    };
  }

  /** The account's passkeys, oldest first. */
  async list(principal: Principal): Promise<PasskeyList> {
    const rows = await this.passkeys.listForUser(principal.userId);
    return { passkeys: await Promise.all(rows.map((row) => this.summaryOf(row))) };
  }

  /**
   * Begins a registration: options for `navigator.credentials.create()` whose challenge is kept
   * for this session. The account's existing passkeys are excluded, so one authenticator is not
   * registered twice.
   */
  async registrationOptions(principal: Principal): Promise<PasskeyRegistrationOptionsResponse> {
    const user = await this.user(principal);
    const existing = await this.passkeys.listForUser(user.id);
    if (existing.length >= MAX_PASSKEYS_PER_ACCOUNT) throw new DomainError('CONFLICT');
    const userHandle =
      existing[0]?.userHandle ?? randomBytes(USER_HANDLE_BYTES).toString('base64url');
    const email = await this.emailOf(user);
    const displayName = user.displayNameSealed
      ? await this.cipher.decrypt(user.displayNameSealed, {
          table: 'users',
          column: 'display_name',
          rowId: user.id,
        })
      : email;
    const publicKey = await this.rp.creationOptions({
      challenge: this.challenges.newChallenge(),
      userHandle,
      userName: email,
      userDisplayName: displayName,
      exclude: existing.map((c) => ({ credentialId: c.credentialId, transports: c.transports })),
    });
    await this.challenges.remember(principal.session, 'registration', {
      challenge: publicKey.challenge,
      userId: user.id,
      userHandle,
    });
    return { publicKey };
  }

  /**
   * Completes a registration. The first second factor of an account also brings a set of
   * recovery codes (shown once). A staff member finishing the enrolment forced at first sign-in
   * becomes fully signed in; everyone gets a new session id.
   */
  async register(
    request: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
    body: PasskeyRegistrationRequest,
  ): Promise<PasskeyEnrolled> {
    const user = await this.user(principal);
    const pending = await this.challenges.take(principal.session, 'registration');
    if (!pending || pending.userId !== user.id || !pending.userHandle) {
      throw new DomainError('PASSKEY_REJECTED');
    }
    const verified = await this.rp.verifyRegistration(body.credential, pending.challenge);
    if (!verified) throw new DomainError('PASSKEY_REJECTED');

    const firstFactor = !(await this.factors.isEnrolled(user.id));
    const id = randomUUID();
    const email = await this.emailOf(user);
    const nameSealed = await this.cipher.encrypt(body.name ?? DEFAULT_NAME, nameContext(id));
    const stored = await this.users.transaction(async (manager) => {
      const inserted = await this.passkeys.insert(manager, {
        id,
        userId: user.id,
        credentialId: verified.credentialId,
        publicKey: verified.publicKey,
        signCount: verified.signCount,
        transports: verified.transports,
        deviceType: verified.deviceType,
        backedUp: verified.backedUp,
        userHandle: pending.userHandle ?? '',
        aaguid: verified.aaguid,
        nameSealed,
      });
      if (!inserted) return false;
      await this.events.emit(
        auditContextOf(request, actorOf(user)),
        'auth.mfa.enrolled',
        { factor: 'webauthn' },
        { type: 'user', id: user.id },
        manager,
      );
      await this.mailer.send(manager, {
        template: 'mfa-changed',
        to: email,
        locale: user.locale,
        params: { change: 'passkey-added' },
      });
      return true;
    });
    // Already registered, to this account or another: a credential belongs to one account.
    if (!stored) throw new DomainError('CONFLICT');

    const recoveryCodes = firstFactor
      ? await this.factors.regenerateRecoveryCodes(user.id)
      : undefined;
    const next =
      principal.level === 'mfa-enrolment'
        ? await this.signIn.elevate(request, reply, principal.session)
        : await this.signIn.reauthenticated(request, reply, principal.session);
    const row = await this.passkeys.findByIdForUser(user.id, id);
    if (!row) throw new DomainError('NOT_FOUND');
    return {
      passkey: await this.summaryOf(row),
      ...(recoveryCodes ? { recoveryCodes } : {}),
      csrfToken: next.record.csrfToken,
    };
  }

  /** Renames one of the account's passkeys. */
  async rename(principal: Principal, id: string, name: string): Promise<PasskeySummary> {
    const user = await this.user(principal);
    const sealed = await this.cipher.encrypt(name, nameContext(id));
    if (!(await this.passkeys.rename(user.id, id, sealed))) throw new DomainError('NOT_FOUND');
    const row = await this.passkeys.findByIdForUser(user.id, id);
    if (!row) throw new DomainError('NOT_FOUND');
    return this.summaryOf(row);
  }

  /**
   * Removes one of the account's passkeys (step-up on the route). A staff member without TOTP
   * cannot remove their last passkey: staff always keep a second factor. Recovery codes go when
   * no second factor is left.
   */
  async remove(request: FastifyRequest, principal: Principal, id: string): Promise<void> {
    const user = await this.user(principal);
    const keepOne = user.kind === 'staff' && !(await this.factors.enrolledFactors(user.id)).totp;
    const email = await this.emailOf(user);
    const outcome = await this.users.transaction(async (manager) => {
      const result = await this.passkeys.deleteForUser(manager, user.id, id, keepOne);
      if (result !== 'deleted') return result;
      await this.events.emit(
        auditContextOf(request, actorOf(user)),
        'auth.mfa.removed',
        { factor: 'webauthn' },
        { type: 'user', id: user.id },
        manager,
      );
      await this.mailer.send(manager, {
        template: 'mfa-changed',
        to: email,
        locale: user.locale,
        params: { change: 'passkey-removed' },
      });
      return result;
    });
    if (outcome === 'not-found') throw new DomainError('NOT_FOUND');
    if (outcome === 'last-factor') throw new DomainError('FORBIDDEN');
    await this.factors.dropRecoveryCodesIfUnenrolled(user.id);
  }
}
