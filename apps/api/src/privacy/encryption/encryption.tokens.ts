/** Injection token of the `EnvelopeFieldCipher` behind `FIELD_CIPHER` (rotation, reseal). */
export const ENVELOPE_CIPHER = Symbol('ENVELOPE_CIPHER');
/** Injection token of the configured `KeyProvider` (local or AWS KMS). */
export const KEY_PROVIDER = Symbol('KEY_PROVIDER');
/** Injection token of the KMS client, or `null` with the local provider. */
export const KMS_CLIENT = Symbol('KMS_CLIENT');
