import { CustomerAddress } from '../addresses/customer-address.entity';
import { AccountToken } from './account-token.entity';
import { User } from './user.entity';
import { UserRole } from './user-role.entity';

export { AccountToken, User, UserRole };
export type { AccountTokenPurpose } from './account-token.entity';
export type { AccountLocale, UserKind } from './user.entity';

/** Entities of the identity context. */
export const IDENTITY_ENTITIES = [User, UserRole, AccountToken, CustomerAddress];
