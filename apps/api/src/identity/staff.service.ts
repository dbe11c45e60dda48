import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { CreateStaffRequest, StaffMember } from '@storefront/contracts';
import type { EntityManager } from 'typeorm';
import { systemActor, type AuditContext } from '../audit/audit-context';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DomainError } from '../core/errors/domain-error';
import { FIELD_CIPHER, type FieldCipher } from '../privacy/encryption/field-cipher';
import { SessionService } from '../session/session.service';
import { AccountTokensService } from './account-tokens.service';
import { User, type AccountLocale } from './entities';
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

/** Staff invitations last as long as email verification links. */
const INVITE_PURPOSE = 'staff-invite' as const;

/**
 * Staff accounts: created only by an administrator (or once by the bootstrap command), with an
 * emailed invitation to choose a password; there is no default account or password anywhere.
 * Role changes and disabling an account end every session of that account at once.
 */
/** The language of a new staff account and of its invitation. */
const STAFF_LOCALE: AccountLocale = 'en';

@Injectable()
export class StaffService {
  constructor(
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(AccountTokensService) private readonly tokens: AccountTokensService,
    @Inject(SessionService) private readonly sessions: SessionService,
    @Inject(PASSWORD_HASHING) private readonly hashing: PasswordHashing,
    @Inject(PASSWORD_RULES) private readonly rules: PasswordRules,
    @Inject(ACCOUNT_MAILER) private readonly mailer: AccountMailer,
    @Inject(SECURITY_EVENT_SINK) private readonly events: SecurityEventSink,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private async insertStaff(
    manager: EntityManager,
    email: string,
    roles: readonly string[],
    grantedBy: string | null,
  ): Promise<{ id: string; token: string }> {
    const emailIndex = this.users.emailIndexOf(email);
    if (await this.users.findByEmailIndex(emailIndex, manager)) throw new DomainError('CONFLICT');
    const id = randomUUID();
    await manager.insert(User, {
      id,
      kind: 'staff',
      emailSealed: await this.cipher.encrypt(email, { table: 'users', column: 'email', rowId: id }),
      emailIndex,
      displayNameSealed: null,
      // Staff accounts start in English (the back office is English); the profile can change it.
      locale: STAFF_LOCALE,
      passwordHash: null,
      emailVerifiedAt: null,
      status: 'active',
      passwordChangedAt: null,
    });
    await this.users.setRoles(manager, id, roles, grantedBy);
    const token = await this.tokens.issue(
      manager,
      id,
      INVITE_PURPOSE,
      this.config.identity.emailVerificationTtlSeconds,
    );
    return { id, token };
  }

  /** An administrator invites a staff member. */
  async create(context: AuditContext, body: CreateStaffRequest): Promise<StaffMember> {
    const grantedBy = context.actor.type === 'staff' ? context.actor.id : null;
    const id = await this.users.transaction(async (manager) => {
      const created = await this.insertStaff(manager, body.email.trim(), body.roles, grantedBy);
      await this.mailer.send(manager, {
        template: 'staff-invite',
        to: body.email.trim(),
        locale: STAFF_LOCALE,
        params: { token: created.token },
      });
      await this.events.emit(
        context,
        'staff.account.created',
        { roles: [...body.roles] },
        { type: 'user', id: created.id },
        manager,
      );
      return created.id;
    });
    return { id, roles: [...body.roles].sort(), status: 'active' };
  }

  /**
   * The one-time bootstrap of the first administrator (`npm run admin:create`). Refuses when any
   * administrator exists. Returns the invitation token; the command prints the link once.
   */
  async bootstrapAdministrator(email: string): Promise<{ id: string; token: string }> {
    return this.users.transaction(async (manager) => {
      await manager.query(`LOCK TABLE user_roles IN SHARE ROW EXCLUSIVE MODE`);
      const admins = await manager.query<unknown[]>(
        `SELECT 1 FROM user_roles WHERE role = 'administrator' LIMIT 1`,
      );
      if (admins.length > 0) throw new DomainError('CONFLICT');
      const created = await this.insertStaff(manager, email.trim(), ['administrator'], null);
      await this.events.emit(
        { actor: systemActor('cli:admin-create') },
        'staff.account.created',
        { roles: ['administrator'] },
        { type: 'user', id: created.id },
        manager,
      );
      return created;
    });
  }

  /** A staff member accepts the invitation by choosing a password (staff policy: ≥ 15). */
  async completeInvite(token: string, password: string): Promise<void> {
    await this.users.transaction(async (manager) => {
      const consumed = await this.tokens.consume(manager, token, INVITE_PURPOSE);
      if (!consumed) throw new DomainError('INVALID_TOKEN');
      const user = await this.users.findById(consumed.userId, manager);
      if (user?.kind !== 'staff' || user.status !== 'active')
        throw new DomainError('INVALID_TOKEN');
      const email = await this.cipher.decrypt(user.emailSealed, {
        table: 'users',
        column: 'email',
        rowId: user.id,
      });
      await this.rules.check(password, { kind: 'staff', email });
      await manager.update(
        User,
        { id: user.id },
        {
          passwordHash: await this.hashing.hash(password),
          passwordChangedAt: new Date(),
          emailVerifiedAt: new Date(),
        },
      );
    });
  }

  async list(): Promise<StaffMember[]> {
    const rows = await this.users.transaction((m) =>
      m.query<Array<{ id: string; status: 'active' | 'disabled'; roles: string[] }>>(
        `SELECT u.id, u.status, coalesce(array_agg(r.role ORDER BY r.role) FILTER (WHERE r.role IS NOT NULL), '{}') AS roles
           FROM users u LEFT JOIN user_roles r ON r.user_id = u.id
          WHERE u.kind = 'staff' GROUP BY u.id ORDER BY u.created_at`,
      ),
    );
    return rows.map((r) => ({ id: r.id, status: r.status, roles: r.roles }));
  }

  /** Replaces a staff member's roles; their sessions end so the change applies at once. */
  async setRoles(
    context: AuditContext,
    userId: string,
    roles: readonly string[],
  ): Promise<StaffMember> {
    const actorId = context.actor.type === 'staff' ? context.actor.id : null;
    const member = await this.users.transaction(async (manager) => {
      const user = await this.users.findById(userId, manager);
      if (user?.kind !== 'staff') throw new DomainError('NOT_FOUND');
      const before = await this.users.rolesOf(userId, manager);
      // An administrator cannot remove their own administrator role (no lock-out by mistake).
      if (
        actorId === userId &&
        before.includes('administrator') &&
        !roles.includes('administrator')
      ) {
        throw new DomainError('CONFLICT');
      }
      await this.users.setRoles(manager, userId, roles, actorId);
      await this.events.emit(
        context,
        'staff.role.changed',
        {
          added: roles.filter((r) => !before.includes(r)),
          removed: before.filter((r) => !roles.includes(r)),
        },
        { type: 'user', id: userId },
        manager,
      );
      return { id: userId, status: user.status, roles: [...roles].sort() };
    });
    await this.sessions.destroyAllForUser(userId, { ctx: context, reason: 'staff_action' });
    return member;
  }

  /** Disables (or re-enables) any account; disabling ends all of its sessions. */
  async setStatus(
    context: AuditContext,
    userId: string,
    status: 'active' | 'disabled',
  ): Promise<StaffMember> {
    const user = await this.users.transaction(async (manager) => {
      const found = await this.users.findById(userId, manager);
      if (!found) throw new DomainError('NOT_FOUND');
      if (context.actor.type === 'staff' && context.actor.id === userId) {
        throw new DomainError('CONFLICT');
      }
      await manager.update(User, { id: userId }, { status });
      await this.events.emit(
        context,
        status === 'disabled' ? 'account.disabled' : 'account.enabled',
        { kind: found.kind },
        { type: 'user', id: userId },
        manager,
      );
      return found;
    });
    if (status === 'disabled') {
      await this.sessions.destroyAllForUser(userId, { ctx: context, reason: 'account_disabled' });
    }
    return { id: user.id, status, roles: await this.users.rolesOf(user.id) };
  }
}
