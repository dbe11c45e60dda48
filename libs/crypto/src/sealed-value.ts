import { InvalidFieldContextError, MalformedSealedValueError } from './crypto-errors';

/**
 * The text format of a sealed field, version 1:
 *
 * ```
 * fe1.<keyId>.<iv>.<ciphertext>.<tag>
 * ```
 *
 * `iv` (12 bytes), `ciphertext` (as long as the UTF-8 plaintext) and `tag` (16 bytes) are
 * unpadded base64url; `keyId` names the data key in the keyring. The version prefix lets a later
 * format (another algorithm, another AAD layout) coexist with this one during a migration.
 */
export const SEALED_VALUE_VERSION = 'fe1';

/** Length of the AES-GCM nonce: 96 bits, the size GCM is specified for (NIST SP 800-38D). */
export const IV_BYTES = 12;
/** Length of the GCM authentication tag: the full 128 bits, never truncated. */
export const TAG_BYTES = 16;
/** Length of a data key: AES-256. */
export const DATA_KEY_BYTES = 32;

/** Data key ids: short, URL-safe, and free of the `.` separator of the sealed format. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const MAX_ROW_ID_LENGTH = 256;

/**
 * Where a sealed value lives; bound into the ciphertext as additional authenticated data so a
 * value copied to another row, column or table no longer decrypts. Structurally identical to the
 * API's `FieldContext`.
 */
export interface SealContext {
  /** Table name (a lowercase SQL identifier). */
  table: string;
  /** Column name (a lowercase SQL identifier). */
  column: string;
  /** Primary key of the row, as text. */
  rowId: string;
}

/** The decoded parts of a sealed value. */
export interface SealedValueParts {
  version: typeof SEALED_VALUE_VERSION;
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** Whether `text` has no lone surrogate, i.e. encodes to UTF-8 and back unchanged. */
export function isWellFormedText(text: string): boolean {
  // In a `u` regex a lone surrogate is its own code point of category Cs; paired ones are not.
  return !/\p{Cs}/u.test(text);
}

/** Throws {@link InvalidFieldContextError} unless `context` names a table, a column and a row. */
export function assertSealContext(context: SealContext): void {
  if (!IDENTIFIER.test(context.table)) {
    throw new InvalidFieldContextError('table must be a lowercase SQL identifier');
  }
  if (!IDENTIFIER.test(context.column)) {
    throw new InvalidFieldContextError('column must be a lowercase SQL identifier');
  }
  if (
    typeof context.rowId !== 'string' ||
    context.rowId.length === 0 ||
    context.rowId.length > MAX_ROW_ID_LENGTH ||
    !isWellFormedText(context.rowId)
  ) {
    throw new InvalidFieldContextError(
      `rowId must be a non-empty string of at most ${MAX_ROW_ID_LENGTH} characters`,
    );
  }
}

/** Throws unless `keyId` is a valid data key id. */
export function assertKeyId(keyId: string): void {
  if (!KEY_ID_PATTERN.test(keyId)) {
    throw new InvalidFieldContextError('a data key id must match [A-Za-z0-9_-]{1,64}');
  }
}

/**
 * The additional authenticated data of a sealed value: format version, key id, table, column and
 * row id, each length-prefixed (uint32 big-endian) so no two different contexts encode alike
 * (`("ab","c")` and `("a","bc")` differ).
 */
export function additionalData(keyId: string, context: SealContext): Buffer {
  const fields = [SEALED_VALUE_VERSION, keyId, context.table, context.column, context.rowId];
  const parts: Buffer[] = [];
  for (const field of fields) {
    const bytes = Buffer.from(field, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}

/** Writes the text form of a sealed value. */
export function formatSealedValue(parts: Omit<SealedValueParts, 'version'>): string {
  return [
    SEALED_VALUE_VERSION,
    parts.keyId,
    parts.iv.toString('base64url'),
    parts.ciphertext.toString('base64url'),
    parts.tag.toString('base64url'),
  ].join('.');
}

function decodeStrict(segment: string, what: string): Buffer {
  // Buffer.from(…, 'base64url') skips characters it does not know; refuse them instead, and refuse
  // non-canonical encodings, so one sealed value has exactly one spelling.
  if (!BASE64URL.test(segment)) throw new MalformedSealedValueError(`${what} is not base64url`);
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.toString('base64url') !== segment) {
    throw new MalformedSealedValueError(`${what} is not canonical base64url`);
  }
  return bytes;
}

/**
 * Parses a sealed value, checking its version, key id and the IV and tag lengths. Throws
 * {@link MalformedSealedValueError}; the message never repeats the input.
 */
export function parseSealedValue(sealed: string): SealedValueParts {
  if (typeof sealed !== 'string') throw new MalformedSealedValueError('not a string');
  const segments = sealed.split('.');
  if (segments.length !== 5) {
    throw new MalformedSealedValueError('expected 5 dot-separated segments');
  }
  const [version, keyId, iv, ciphertext, tag] = segments as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (version !== SEALED_VALUE_VERSION) {
    throw new MalformedSealedValueError('unknown sealed value version');
  }
  if (!KEY_ID_PATTERN.test(keyId)) throw new MalformedSealedValueError('invalid key id');
  const parts: SealedValueParts = {
    version,
    keyId,
    iv: decodeStrict(iv, 'iv'),
    ciphertext: decodeStrict(ciphertext, 'ciphertext'),
    tag: decodeStrict(tag, 'tag'),
  };
  if (parts.iv.length !== IV_BYTES) throw new MalformedSealedValueError('iv must be 12 bytes');
  if (parts.tag.length !== TAG_BYTES) throw new MalformedSealedValueError('tag must be 16 bytes');
  return parts;
}

/** The data key id a sealed value was encrypted under, without decrypting it. */
export function sealedValueKeyId(sealed: string): string {
  return parseSealedValue(sealed).keyId;
}

/** Whether `value` parses as a sealed value (it says nothing about whether it decrypts). */
export function isSealedValue(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    parseSealedValue(value);
    return true;
  } catch {
    return false;
  }
}
