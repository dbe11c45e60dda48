import { createHash, randomInt } from 'node:crypto';

/**
 * Coupon codes: 26 symbols of Crockford's base32 (no I, L, O or U, so nothing reads ambiguously),
 * drawn uniformly from the CSPRNG — 130 bits of entropy (ASVS asks ≥ 128 bits for values meant
 * to be unguessable), shown in groups of four: `7QK2-M9XD-…-4F`. Guessing one is hopeless
 * (2^130 codes; the attempts are also rate limited), so
 * a code is a bearer secret worth money, and the database keeps only its SHA-256 digest: a leaked
 * backup or a read-only SQL injection elsewhere hands out no usable codes. A fast unsalted hash is
 * enough because the input is uniformly random and long (no dictionary to try); the unique index
 * on the digest finds a code in one lookup and makes two coupons with one code impossible.
 */

/** Crockford's base32 alphabet. */
export const COUPON_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Symbols in a code (5 bits each). */
export const COUPON_CODE_LENGTH = 26;
/** Entropy of a generated code, in bits. */
export const COUPON_CODE_BITS = COUPON_CODE_LENGTH * Math.log2(COUPON_ALPHABET.length);

const CANONICAL = new RegExp(`^[${COUPON_ALPHABET}]{${COUPON_CODE_LENGTH}}$`);

/** A new random code, canonical form (26 symbols, no separators). */
export function generateCouponCode(): string {
  let code = '';
  for (let i = 0; i < COUPON_CODE_LENGTH; i++) code += COUPON_ALPHABET.charAt(randomInt(32));
  return code;
}

/** A canonical code grouped for people: `XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XX`. */
export function formatCouponCode(canonical: string): string {
  return canonical.replace(/(.{4})(?=.)/g, '$1-');
}

/**
 * The canonical form of a code as typed (case, spaces and dashes ignored; O read as 0, I and L as
 * 1, as Crockford intends), or null when it cannot be a code this shop issued.
 */
export function normaliseCouponCode(typed: string): string | null {
  const canonical = typed
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  return CANONICAL.test(canonical) ? canonical : null;
}

/** SHA-256 digest of a canonical code: what the database stores and looks up. */
export function couponCodeDigest(canonical: string): Buffer {
  return createHash('sha256').update(canonical, 'utf8').digest();
}

/**
 * The last four symbols, shown in the cart so shoppers recognise the code they applied (stored in
 * clear: knowing them still leaves 110 bits to guess).
 */
export function couponCodeHint(canonical: string): string {
  return canonical.slice(-4);
}
