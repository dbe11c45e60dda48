import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { InvalidFieldContextError, InvalidPlaintextError } from './crypto-errors';
import { isWellFormedText } from './sealed-value';

const PURPOSE = /^[a-z][a-z0-9-]{0,62}$/;
const MIN_KEY_BYTES = 32;

/**
 * The canonical form of an email address for lookups: surrounding white space removed, Unicode
 * NFC (so a precomposed and a decomposed "é" are one address), lower case. The stored, encrypted
 * address keeps what the person typed; only the index is normalised.
 */
export function normaliseEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

/**
 * How a value is canonicalised before hashing for an index `purpose`: purposes named `email` or
 * ending in `-email` (`user-email`, `staff-email`…) use {@link normaliseEmail}; every other
 * purpose uses NFC only, so values otherwise match exactly as given.
 */
export function normaliseForIndex(purpose: string, value: string): string {
  if (purpose === 'email' || purpose.endsWith('-email')) return normaliseEmail(value);
  return value.normalize('NFC');
}

/**
 * Keyed, deterministic digests for equality lookups of encrypted values (a blind index): HMAC-SHA256
 * under a per-purpose subkey derived by HKDF from the blind-index key, which is distinct from every
 * encryption key. Without the key, a digest reveals nothing and cannot be brute-forced from a list
 * of likely values; two purposes never produce the same digest for the same value.
 */
export class HmacBlindIndex {
  private readonly subkeys = new Map<string, KeyObject>();

  constructor(private readonly key: KeyObject) {
    if (key.type !== 'secret' || (key.symmetricKeySize ?? 0) < MIN_KEY_BYTES) {
      throw new TypeError('the blind-index key must be a secret key of at least 32 bytes');
    }
  }

  /** The digest (43 characters of base64url, 256 bits) of `value` for the index `purpose`. */
  compute(purpose: string, value: string): string {
    if (typeof value !== 'string' || !isWellFormedText(value)) {
      throw new InvalidPlaintextError('blind-index input must be a well-formed string');
    }
    return createHmac('sha256', this.subkey(purpose))
      .update(normaliseForIndex(purpose, value), 'utf8')
      .digest('base64url');
  }

  private subkey(purpose: string): KeyObject {
    if (!PURPOSE.test(purpose)) {
      throw new InvalidFieldContextError('a blind-index purpose must match [a-z][a-z0-9-]{0,62}');
    }
    let subkey = this.subkeys.get(purpose);
    if (!subkey) {
      const derived = Buffer.from(
        hkdfSync('sha256', this.key, Buffer.alloc(0), `storefront/blind-index/v1/${purpose}`, 32),
      );
      subkey = createSecretKey(derived);
      derived.fill(0);
      this.subkeys.set(purpose, subkey);
    }
    return subkey;
  }
}
