import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { BLIND_INDEX, type BlindIndex } from '../privacy/encryption/field-cipher';
import { User, UserRole } from './entities';

/** Normalises an email for lookups: trimmed, Unicode NFC, lower case. */
export function normaliseEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

/** Purpose of the users' email blind index (see {@link BlindIndex}). */
export const USER_EMAIL_INDEX = 'user-email';

/**
 * Data access of accounts. Lookups by email go through the keyed blind index, so the table is
 * never scanned and decrypted; every query is parameterised by TypeORM.
 */
@Injectable()
export class UsersRepository {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(BLIND_INDEX) private readonly blindIndex: BlindIndex,
  ) {}

  /** The blind index of an email address. */
  emailIndexOf(email: string): string {
    return this.blindIndex.compute(USER_EMAIL_INDEX, normaliseEmail(email));
  }

  private manager(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  findByEmailIndex(emailIndex: string, manager?: EntityManager): Promise<User | null> {
    return this.manager(manager).findOne(User, { where: { emailIndex } });
  }

  findById(id: string, manager?: EntityManager): Promise<User | null> {
    return this.manager(manager).findOne(User, { where: { id } });
  }

  async rolesOf(userId: string, manager?: EntityManager): Promise<string[]> {
    const rows = await this.manager(manager).find(UserRole, {
      where: { userId },
      order: { role: 'ASC' },
    });
    return rows.map((r) => r.role);
  }

  /** Replaces a user's roles (inside the caller's transaction). */
  async setRoles(
    manager: EntityManager,
    userId: string,
    roles: readonly string[],
    grantedBy: string | null,
  ): Promise<void> {
    await manager.delete(UserRole, { userId });
    const now = new Date();
    for (const role of roles) {
      await manager.insert(UserRole, { userId, role, grantedBy, grantedAt: now });
    }
  }

  /** Runs `work` in one transaction. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }
}
