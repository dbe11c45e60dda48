/** Stable codes of every failure of the field-encryption primitives. */
export type FieldCryptoErrorCode =
  | 'FIELD_CONTEXT_INVALID'
  | 'FIELD_PLAINTEXT_INVALID'
  | 'SEALED_VALUE_MALFORMED'
  | 'FIELD_DECRYPTION_FAILED'
  | 'DATA_KEY_UNKNOWN'
  | 'DATA_KEY_UNWRAP_FAILED'
  | 'DATA_KEY_GENERATION_FAILED'
  | 'KEYRING_CONFLICT';

/**
 * Base of every error thrown by `@storefront/crypto`. Messages name key ids, tables, columns and
 * row ids at most — never a plaintext, a ciphertext or key material — so they are safe to log.
 */
export class FieldCryptoError extends Error {
  constructor(
    readonly code: FieldCryptoErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The table/column/row id given as encryption context is missing or not a plain identifier. */
export class InvalidFieldContextError extends FieldCryptoError {
  constructor(message: string) {
    super('FIELD_CONTEXT_INVALID', message);
  }
}

/** The plaintext cannot be encrypted faithfully (not well-formed UTF-16, so not UTF-8 encodable). */
export class InvalidPlaintextError extends FieldCryptoError {
  constructor(message: string) {
    super('FIELD_PLAINTEXT_INVALID', message);
  }
}

/** The stored value is not a sealed value of a known version (truncated, re-encoded, plaintext). */
export class MalformedSealedValueError extends FieldCryptoError {
  constructor(message: string) {
    super('SEALED_VALUE_MALFORMED', message);
  }
}

/**
 * Authenticated decryption failed: the ciphertext, IV or tag was altered, or the value was moved to
 * another table, column or row (the AAD no longer matches), or it was sealed under another key.
 */
export class FieldDecryptionError extends FieldCryptoError {
  constructor(message: string) {
    super('FIELD_DECRYPTION_FAILED', message);
  }
}

/** The sealed value names a data key that the keyring does not hold. */
export class UnknownDataKeyError extends FieldCryptoError {
  constructor(readonly keyId: string) {
    super('DATA_KEY_UNKNOWN', `data key ${keyId} is not in the keyring`);
  }
}

/** The key-encryption key (local or KMS) refused or failed to unwrap a stored data key. */
export class DataKeyUnwrapError extends FieldCryptoError {
  constructor(message: string) {
    super('DATA_KEY_UNWRAP_FAILED', message);
  }
}

/** The key provider could not produce a new data key. */
export class DataKeyGenerationError extends FieldCryptoError {
  constructor(message: string) {
    super('DATA_KEY_GENERATION_FAILED', message);
  }
}

/** Two rotations raced, or the keyring holds no active key where one was required. */
export class KeyringConflictError extends FieldCryptoError {
  constructor(message: string) {
    super('KEYRING_CONFLICT', message);
  }
}
