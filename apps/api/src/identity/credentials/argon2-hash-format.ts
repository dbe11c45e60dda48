/** What an encoded argon2 hash (PHC string format) says about how it was made. */
export interface Argon2HashInfo {
  variant: 'argon2d' | 'argon2i' | 'argon2id';
  version: number;
  memoryKib: number;
  iterations: number;
  parallelism: number;
  saltBytes: number;
  hashBytes: number;
}

const PHC =
  /^\$(argon2id|argon2i|argon2d)\$v=(\d+)\$([a-z]+=[^$,]+(?:,[a-z]+=[^$,]+)*)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** Bytes encoded by an unpadded standard-base64 string of `length` characters. */
function base64Bytes(length: number): number {
  return Math.floor((length * 3) / 4);
}

/**
 * Reads the parameters of an encoded argon2 hash such as
 * `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` (the order of `m`, `t`, `p` does not matter).
 * Returns `undefined` for anything that is not a well-formed argon2 hash.
 */
export function parseArgon2Hash(encoded: string): Argon2HashInfo | undefined {
  const match = PHC.exec(encoded);
  if (!match) return undefined;
  const [, variant, version, paramList, salt, hash] = match as unknown as [
    string,
    Argon2HashInfo['variant'],
    string,
    string,
    string,
    string,
  ];
  const params = new Map<string, string>();
  for (const pair of paramList.split(',')) {
    const [key, value] = pair.split('=') as [string, string];
    params.set(key, value);
  }
  const numeric = (key: string): number | undefined => {
    const value = params.get(key);
    return value !== undefined && /^\d{1,10}$/.test(value) ? Number(value) : undefined;
  };
  const memoryKib = numeric('m');
  const iterations = numeric('t');
  const parallelism = numeric('p');
  if (memoryKib === undefined || iterations === undefined || parallelism === undefined) {
    return undefined;
  }
  return {
    variant,
    version: Number(version),
    memoryKib,
    iterations,
    parallelism,
    saltBytes: base64Bytes(salt.length),
    hashBytes: base64Bytes(hash.length),
  };
}
