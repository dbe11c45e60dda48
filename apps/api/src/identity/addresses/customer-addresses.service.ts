import { Inject, Injectable } from '@nestjs/common';
import type { Address, AddressInput, AddressList } from '@storefront/contracts';
import { DomainError } from '../../core/errors/domain-error';
import type { Principal } from '../../core/http/principal';
import { FIELD_CIPHER, type FieldCipher } from '../../privacy/encryption/field-cipher';
import type { CustomerAddress } from './customer-address.entity';
import {
  CustomerAddressesRepository,
  type SealedAddressFields,
} from './customer-addresses.repository';

/** Most addresses one account may keep (bounds storage and decryption work per request). */
export const MAX_ADDRESSES = 20;

const TABLE = 'customer_addresses';

/**
 * The caller's address book. Fields are sealed with the FieldCipher, bound to the row, so a value
 * copied into another customer's row does not decrypt; at most one address is the default.
 */
@Injectable()
export class CustomerAddressesService {
  constructor(
    @Inject(CustomerAddressesRepository) private readonly addresses: CustomerAddressesRepository,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
  ) {}

  private async seal(id: string, input: AddressInput): Promise<SealedAddressFields> {
    const seal = (column: string, value: string) =>
      this.cipher.encrypt(value, { table: TABLE, column, rowId: id });
    return {
      fullNameSealed: await seal('full_name', input.fullName),
      line1Sealed: await seal('line1', input.line1),
      line2Sealed: input.line2 ? await seal('line2', input.line2) : null,
      postalCodeSealed: await seal('postal_code', input.postalCode),
      citySealed: await seal('city', input.city),
      phoneSealed: input.phone ? await seal('phone', input.phone) : null,
      country: input.country,
      isDefault: input.isDefault,
    };
  }

  private async open(row: CustomerAddress): Promise<Address> {
    const open = (column: string, sealed: string) =>
      this.cipher.decrypt(sealed, { table: TABLE, column, rowId: row.id });
    return {
      id: row.id,
      fullName: await open('full_name', row.fullNameSealed),
      line1: await open('line1', row.line1Sealed),
      line2: row.line2Sealed ? await open('line2', row.line2Sealed) : null,
      postalCode: await open('postal_code', row.postalCodeSealed),
      city: await open('city', row.citySealed),
      phone: row.phoneSealed ? await open('phone', row.phoneSealed) : null,
      country: row.country as Address['country'],
      isDefault: row.isDefault,
    };
  }

  async list(principal: Principal): Promise<AddressList> {
    const rows = await this.addresses.listForOwner(principal.userId);
    return { addresses: await Promise.all(rows.map((row) => this.open(row))) };
  }

  async get(principal: Principal, id: string): Promise<Address> {
    const row = await this.addresses.findForOwner(principal.userId, id);
    if (!row) throw new DomainError('NOT_FOUND');
    return this.open(row);
  }

  async create(principal: Principal, input: AddressInput): Promise<Address> {
    const id = this.addresses.newId();
    const fields = await this.seal(id, input);
    await this.addresses.transaction(async (manager) => {
      // Serialise this owner's writes so the count and the default flag stay right.
      await manager.query(`SELECT id FROM users WHERE id = $1 FOR UPDATE`, [principal.userId]);
      if ((await this.addresses.countForOwner(principal.userId, manager)) >= MAX_ADDRESSES) {
        throw new DomainError(
          'CONFLICT',
          `An address book holds at most ${MAX_ADDRESSES} addresses.`,
        );
      }
      if (fields.isDefault) await this.addresses.clearDefault(manager, principal.userId);
      await this.addresses.insert(manager, principal.userId, id, fields);
    });
    return this.get(principal, id);
  }

  async update(principal: Principal, id: string, input: AddressInput): Promise<Address> {
    const fields = await this.seal(id, input);
    const found = await this.addresses.transaction(async (manager) => {
      await manager.query(`SELECT id FROM users WHERE id = $1 FOR UPDATE`, [principal.userId]);
      if (!(await this.addresses.findForOwner(principal.userId, id, manager))) return false;
      if (fields.isDefault) await this.addresses.clearDefault(manager, principal.userId);
      return this.addresses.updateForOwner(manager, principal.userId, id, fields);
    });
    if (!found) throw new DomainError('NOT_FOUND');
    return this.get(principal, id);
  }

  async remove(principal: Principal, id: string): Promise<void> {
    if (!(await this.addresses.deleteForOwner(principal.userId, id))) {
      throw new DomainError('NOT_FOUND');
    }
  }
}
