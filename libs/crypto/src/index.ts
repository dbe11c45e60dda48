/**
 * `@storefront/crypto`: field-level envelope encryption for the server (never for browsers — the
 * project is tagged `scope:api`, so web code cannot import it). AES-256-GCM sealed values bound to
 * table/column/row, data keys wrapped by a KEK (local or AWS KMS), a keyring abstraction, rotation,
 * and an HMAC blind index for equality lookups.
 */
export * from './aws-kms-key-provider';
export * from './blind-index';
export * from './crypto-errors';
export * from './development-keys';
export * from './envelope-field-cipher';
export * from './field-sealer';
export * from './key-provider';
export * from './keyring';
export * from './local-key-provider';
export * from './sealed-value';
