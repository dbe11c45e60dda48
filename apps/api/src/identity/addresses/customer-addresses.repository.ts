import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CustomerAddress } from './customer-address.entity';

/** The sealed columns of an address row (what the service writes). */
export type SealedAddressFields = Pick<
  CustomerAddress,
  | 'fullNameSealed'
  | 'line1Sealed'
  | 'line2Sealed'
  | 'postalCodeSealed'
  | 'citySealed'
  | 'phoneSealed'
  | 'country'
  | 'isDefault'
>;

/**
 * Data access of the address book. Every query takes the owner: an address of another account is
 * simply not found, so callers cannot forget an ownership check.
 */
@Injectable()
export class CustomerAddressesRepository {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** A fresh id (addresses are sealed with their id, so it exists before the row). */
  newId(): string {
    return randomUUID();
  }

  listForOwner(userId: string): Promise<CustomerAddress[]> {
    return this.dataSource.manager.find(CustomerAddress, {
      where: { userId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
  }

  findForOwner(
    userId: string,
    id: string,
    manager?: EntityManager,
  ): Promise<CustomerAddress | null> {
    return (manager ?? this.dataSource.manager).findOne(CustomerAddress, { where: { id, userId } });
  }

  countForOwner(userId: string, manager: EntityManager): Promise<number> {
    return manager.count(CustomerAddress, { where: { userId } });
  }

  /** Clears the owner's default flag (before another address becomes the default). */
  async clearDefault(manager: EntityManager, userId: string): Promise<void> {
    await manager.update(CustomerAddress, { userId, isDefault: true }, { isDefault: false });
  }

  async insert(
    manager: EntityManager,
    userId: string,
    id: string,
    fields: SealedAddressFields,
  ): Promise<void> {
    await manager.insert(CustomerAddress, { id, userId, ...fields });
  }

  /** Updates the owner's address; false when the owner has no such address. */
  async updateForOwner(
    manager: EntityManager,
    userId: string,
    id: string,
    fields: SealedAddressFields,
  ): Promise<boolean> {
    const result = await manager.update(CustomerAddress, { id, userId }, fields);
    return result.affected === 1;
  }

  /** Deletes the owner's address; false when the owner has no such address. */
  async deleteForOwner(userId: string, id: string): Promise<boolean> {
    const result = await this.dataSource.manager.delete(CustomerAddress, { id, userId });
    return result.affected === 1;
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }
}
