/**
 * The contract every context uses to protect personal data at rest (names, email, phone,
 * addresses, TOTP secrets, mail recipients). The implementation (envelope AES-256-GCM with data keys
 * wrapped by a key-encryption key, see `encryption.module.ts`) lives beside this file; callers depend
 * only on these types and the injection tokens.
 */

/** Where a sealed value lives. Bound into the ciphertext as AAD, so a value moved to another row,
 * column or table fails to decrypt. */
export interface FieldContext {
  /** Table name, e.g. `users`. */
  table: string;
  /** Column name, e.g. `email`. */
  column: string;
  /** Primary key of the row (generate the id before encrypting). */
  rowId: string;
}

/** Seals and opens personal-data fields. A sealed value is a versioned, self-describing string
 * carrying its key id; decryption fails loudly (throws) on any tampering. */
export interface FieldCipher {
  encrypt(plaintext: string, context: FieldContext): Promise<string>;
  decrypt(sealed: string, context: FieldContext): Promise<string>;
}

/** Keyed, deterministic digests for equality lookups of encrypted values (e.g. login by email)
 * without decrypting. `purpose` separates indexes (`user-email`, …) so equal values in two indexes
 * do not match. Values are canonicalised first: purposes named `email` or ending in `-email` by
 * `normaliseEmail` (trim, NFC, lower case), every other purpose by NFC only. */
export interface BlindIndex {
  compute(purpose: string, value: string): string;
}

/** Injection token of the {@link FieldCipher}. */
export const FIELD_CIPHER = Symbol('FIELD_CIPHER');
/** Injection token of the {@link BlindIndex}. */
export const BLIND_INDEX = Symbol('BLIND_INDEX');

/** Errors a caller may meet (all extend `FieldCryptoError`, with a stable `code`), and the email
 * canonical form used by `-email` blind indexes. */
export {
  FieldCryptoError,
  FieldDecryptionError,
  MalformedSealedValueError,
  UnknownDataKeyError,
  normaliseEmail,
} from '@storefront/crypto';
/** How a context registers its sealed columns for the re-encryption job after a key rotation. */
export { Sealed, declareSealedColumns, type SealedColumn } from './sealed-column';
