/**
 * The key-encryption key (KEK) side of envelope encryption. A provider creates data keys (DEKs)
 * and unwraps stored ones; it never sees field values. The local provider (development, tests)
 * holds the KEK in memory; the AWS KMS provider (production) never lets the KEK leave KMS.
 */

/** A freshly generated data key: the clear key (use once, then zero it) and its wrapped form. */
export interface GeneratedDataKey {
  /** The 32-byte AES-256 key in clear. The caller turns it into a KeyObject and zero-fills it. */
  plaintextKey: Buffer;
  /** The key encrypted under the KEK; safe to store. */
  wrappedKey: Buffer;
  /** Which KEK wrapped it (a local fingerprint or the KMS key ARN); stored beside the key. */
  kekId: string;
}

/** A stored, wrapped data key as the provider needs it to unwrap. */
export interface WrappedDataKey {
  /** Id of the data key; bound to the wrapping as encryption context. */
  keyId: string;
  wrappedKey: Buffer;
  kekId: string;
}

/** Creates and unwraps data keys under a key-encryption key. */
export interface KeyProvider {
  /** Stored with each data key so a keyring is never unwrapped by the wrong kind of provider. */
  readonly name: string;
  /** Creates a new AES-256 data key with id `keyId`, wrapped under the current KEK. */
  generateDataKey(keyId: string): Promise<GeneratedDataKey>;
  /** Returns the clear 32-byte data key; throws `DataKeyUnwrapError` if the KEK refuses. */
  unwrapDataKey(stored: WrappedDataKey): Promise<Buffer>;
}

/**
 * The encryption context every wrapping is bound to (KMS `EncryptionContext`, local AAD): a wrapped
 * key cannot be presented as another data key, nor as a key of another application.
 */
export function dataKeyEncryptionContext(keyId: string): Record<string, string> {
  return { purpose: 'storefront-field-encryption', keyId };
}
