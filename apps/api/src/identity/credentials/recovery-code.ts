import { createHash, randomBytes } from 'node:crypto';

/**
 * Crockford's base32 alphabet, lower case: no i, l, o or u, so codes read aloud or copied by hand
 * are not mistaken; on input, o/i/l are read as 0/1/1.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Random bytes per code: 15 bytes = 120 bits = exactly 24 base32 characters. */
export const RECOVERY_CODE_BYTES = 15;
/** Characters per code, shown in groups of {@link RECOVERY_CODE_GROUP}. */
export const RECOVERY_CODE_LENGTH = 24;
export const RECOVERY_CODE_GROUP = 4;
/** Codes per set. */
export const RECOVERY_CODE_COUNT = 10;

/** Encodes 15 bytes as 24 base32 characters (5 bits each, most significant first). */
export function encodeRecoveryCode(bytes: Uint8Array): string {
  if (bytes.length !== RECOVERY_CODE_BYTES) throw new RangeError('recovery code must be 15 bytes');
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET.charAt((buffer >> bits) & 31);
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

/** Shows a 24-character code as `xxxx-xxxx-xxxx-xxxx-xxxx-xxxx`. */
export function formatRecoveryCode(code: string): string {
  const groups: string[] = [];
  for (let i = 0; i < code.length; i += RECOVERY_CODE_GROUP) {
    groups.push(code.slice(i, i + RECOVERY_CODE_GROUP));
  }
  return groups.join('-');
}

/** A fresh code from the CSPRNG (120 bits): canonical (to hash) and formatted (to show). */
export function generateRecoveryCode(): { canonical: string; display: string } {
  const canonical = encodeRecoveryCode(randomBytes(RECOVERY_CODE_BYTES));
  return { canonical, display: formatRecoveryCode(canonical) };
}

/**
 * Reads a code as typed: case, spaces and hyphens do not matter, and o/i/l count as 0/1/1.
 * Returns the canonical 24 characters, or `undefined` when it cannot be a recovery code.
 */
export function normaliseRecoveryCode(typed: string): string | undefined {
  const canonical = typed
    .toLowerCase()
    .replace(/[\s-]+/g, '')
    .replace(/o/g, '0')
    .replace(/[il]/g, '1');
  if (canonical.length !== RECOVERY_CODE_LENGTH) return undefined;
  for (const char of canonical) if (!ALPHABET.includes(char)) return undefined;
  return canonical;
}

/**
 * The stored digest of a code: SHA-256 over a fixed label, the owner's id and the canonical code.
 * A plain hash is enough because each code carries 120 bits from the CSPRNG (ASVS 6.5.2 allows a
 * standard hash from 112 bits): no dictionary or brute force can invert it, so a slow, salted
 * password hash would add cost without adding security. The user id binds a code to its owner.
 */
export function recoveryCodeDigest(userId: string, canonicalCode: string): Buffer {
  return createHash('sha256')
    .update(`storefront:mfa-recovery-code:v1\0${userId}\0${canonicalCode}`, 'utf8')
    .digest();
}
