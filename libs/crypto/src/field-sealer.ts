import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { FieldDecryptionError, InvalidPlaintextError } from './crypto-errors';
import {
  IV_BYTES,
  TAG_BYTES,
  additionalData,
  assertKeyId,
  assertSealContext,
  formatSealedValue,
  isWellFormedText,
  type SealContext,
  type SealedValueParts,
} from './sealed-value';

const ALGORITHM = 'aes-256-gcm';

/** An unwrapped data key: its id in the keyring and the AES-256 key (a KeyObject, never logged). */
export interface DataKey {
  id: string;
  key: KeyObject;
}

/**
 * Encrypts one field with AES-256-GCM under `dataKey`: a fresh random 96-bit IV per value, the
 * full 128-bit tag, and the context (table, column, row id) plus format version and key id as AAD.
 * Returns the text form described in `sealed-value.ts`.
 */
export function sealField(plaintext: string, context: SealContext, dataKey: DataKey): string {
  assertSealContext(context);
  assertKeyId(dataKey.id);
  if (typeof plaintext !== 'string' || !isWellFormedText(plaintext)) {
    throw new InvalidPlaintextError('plaintext must be a well-formed string');
  }
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, dataKey.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additionalData(dataKey.id, context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return formatSealedValue({ keyId: dataKey.id, iv, ciphertext, tag: cipher.getAuthTag() });
}

/**
 * Decrypts parsed sealed value `parts` under `key`, checking the tag over ciphertext and AAD.
 * Throws {@link FieldDecryptionError} on any mismatch — altered ciphertext, IV, tag or key id, a
 * different table/column/row, or the wrong key — and never returns unauthenticated bytes.
 */
export function openField(parts: SealedValueParts, context: SealContext, key: KeyObject): string {
  assertSealContext(context);
  const decipher = createDecipheriv(ALGORITHM, key, parts.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(additionalData(parts.keyId, context));
  decipher.setAuthTag(parts.tag);
  let plaintext: Buffer;
  try {
    plaintext = Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
  } catch {
    throw new FieldDecryptionError(
      `sealed value in ${context.table}.${context.column} (row ${context.rowId}) failed authentication`,
    );
  }
  return plaintext.toString('utf8');
}
