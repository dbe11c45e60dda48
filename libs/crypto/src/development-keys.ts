import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';

/** What a development key is for; each gets its own, unrelated key. */
export type DevelopmentKeyPurpose = 'local-kek' | 'blind-index';

/**
 * PUBLIC, NOT SECRET: the seed every development key is derived from. It is in this source file,
 * so anything protected by a development key is protected from nobody. It exists so that a fresh
 * checkout starts with zero configuration; production configuration refuses development keys.
 */
export const DEVELOPMENT_KEY_SEED =
  'storefront DEVELOPMENT ONLY key seed - public, never use in production';

/**
 * A deterministic 32-byte key for development and tests, derived by HKDF-SHA256 from the public
 * {@link DEVELOPMENT_KEY_SEED} and `purpose`, so the local KEK and the blind-index key are distinct
 * and stable across restarts (data written yesterday still decrypts). Development only.
 */
export function developmentKey(purpose: DevelopmentKeyPurpose): KeyObject {
  const bytes = Buffer.from(
    hkdfSync(
      'sha256',
      DEVELOPMENT_KEY_SEED,
      Buffer.alloc(0),
      `storefront/development/${purpose}`,
      32,
    ),
  );
  const key = createSecretKey(bytes);
  bytes.fill(0);
  return key;
}
