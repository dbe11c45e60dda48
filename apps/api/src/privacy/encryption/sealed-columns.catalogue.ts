import type { SealedColumn } from './sealed-column';

/**
 * Sealed columns of contexts that have not marked them with `@Sealed()` on an entity (or that have
 * no entity): the re-encryption job walks these too. Move an entry to an `@Sealed('<context
 * column>')` decorator when the owning context adopts it; a test checks that every `*_sealed`
 * column of the schema is either registered or listed in {@link UNWALKED_SEALED_COLUMNS}.
 */
export const SEALED_COLUMN_CATALOGUE: readonly SealedColumn[] = [
  // identity: sealed as { table: 'users', column: 'email' | 'display_name', rowId: user id }
  { table: 'users', column: 'email_sealed', idColumn: 'id', contextColumn: 'email' },
  { table: 'users', column: 'display_name_sealed', idColumn: 'id', contextColumn: 'display_name' },
  // identity: the new address of a pending email change, bound to its token's id
  { table: 'account_tokens', column: 'payload_sealed', idColumn: 'id', contextColumn: 'payload' },
  // identity/credentials: TOTP secrets
  { table: 'mfa_totp_credentials', column: 'secret_sealed', idColumn: 'id' },
  // mail: recipient and parameters, held only while a message is unsent
  { table: 'mail_outbox', column: 'recipient_sealed', idColumn: 'id' },
  { table: 'mail_outbox', column: 'params_sealed', idColumn: 'id' },
  // orders: the shipping address and a guest's email, bound to the order id
  {
    table: 'orders',
    column: 'shipping_address_sealed',
    idColumn: 'id',
    contextColumn: 'shipping_address',
  },
  { table: 'orders', column: 'guest_email_sealed', idColumn: 'id', contextColumn: 'guest_email' },
];

/**
 * Sealed columns the job deliberately does not walk, with the reason. Their values keep the
 * retired key in use until they expire, so a retired key is deleted only after the longest
 * lifetime listed here has passed (docs/runbooks/key-rotation.md).
 */
export const UNWALKED_SEALED_COLUMNS: readonly { table: string; column: string; reason: string }[] =
  [];
