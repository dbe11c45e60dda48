import * as argon2 from 'argon2';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../core/errors/domain-error';
import { ERROR_CATALOGUE } from '../../core/errors/error-catalogue';
import { parseArgon2Hash } from './argon2-hash-format';
import {
  MAX_PASSWORD_BYTES,
  NATIVE_ARGON2,
  PasswordHasher,
  type Argon2Engine,
  type PasswordHasherOptions,
} from './password-hasher.service';

const BASELINE: PasswordHasherOptions = {
  argon2: { memoryKib: 19_456, iterations: 2, parallelism: 1 },
  concurrency: 2,
  queueLimit: 16,
};

/** Cheap parameters for tests that only count calls (the engine is still the real argon2). */
const CHEAP = { memoryKib: 1_024, iterations: 1, parallelism: 1 };

/** The real argon2, instrumented: counts calls in flight and remembers what it was asked. */
function observedEngine() {
  const stats = { inFlight: 0, peak: 0, verifiedHashes: [] as string[], hashes: 0 };
  const track = async <T>(work: () => Promise<T>): Promise<T> => {
    stats.inFlight += 1;
    stats.peak = Math.max(stats.peak, stats.inFlight);
    try {
      return await work();
    } finally {
      stats.inFlight -= 1;
    }
  };
  const engine: Argon2Engine = {
    hash: (password, options) => {
      stats.hashes += 1;
      return track(() => NATIVE_ARGON2.hash(password, options));
    },
    verify: (encoded, password) => {
      stats.verifiedHashes.push(encoded);
      return track(() => NATIVE_ARGON2.verify(encoded, password));
    },
  };
  return { engine, stats };
}

describe('PasswordHasher', () => {
  it('writes argon2id with the configured parameters and a 16-byte salt into every hash', async () => {
    const hasher = new PasswordHasher(BASELINE);
    const hash = await hasher.hash('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$v=19\$/);
    expect(parseArgon2Hash(hash)).toEqual({
      variant: 'argon2id',
      version: 19,
      memoryKib: 19_456,
      iterations: 2,
      parallelism: 1,
      saltBytes: 16,
      hashBytes: 32,
    });
    // A fresh random salt each time: the same password never gives the same hash.
    expect(await hasher.hash('correct horse battery staple')).not.toBe(hash);
  });

  it('verifies the password exactly as typed: no trimming, truncation or case change', async () => {
    const hasher = new PasswordHasher({ ...BASELINE, argon2: CHEAP });
    const password = ' Tr0ub4dour & Été 🦄 ';
    const hash = await hasher.hash(password);
    expect(await hasher.verify(hash, password)).toEqual({ valid: true, needsRehash: false });
    for (const variant of [
      password.trim(),
      password.toLowerCase(),
      password.toUpperCase(),
      password.slice(0, -1),
      password.normalize('NFD'),
      `${password} `,
    ]) {
      expect((await hasher.verify(hash, variant)).valid).toBe(false);
    }
  });

  it('accepts long passwords without truncation (128 and 256 code points)', async () => {
    const hasher = new PasswordHasher({ ...BASELINE, argon2: CHEAP });
    const long = 'é'.repeat(255) + 'a';
    const hash = await hasher.hash(long);
    expect((await hasher.verify(hash, long)).valid).toBe(true);
    expect((await hasher.verify(hash, 'é'.repeat(255) + 'b')).valid).toBe(false);
    const hash128 = await hasher.hash('x'.repeat(128));
    expect((await hasher.verify(hash128, 'x'.repeat(127))).valid).toBe(false);
  });

  it('reports needsRehash when the configured parameters differ from those in the hash', async () => {
    const current = new PasswordHasher({ ...BASELINE, argon2: CHEAP });
    const stronger = new PasswordHasher({
      ...BASELINE,
      argon2: { ...CHEAP, iterations: CHEAP.iterations + 1 },
    });
    const hash = await current.hash('a perfectly fine passphrase');
    expect(await current.verify(hash, 'a perfectly fine passphrase')).toEqual({
      valid: true,
      needsRehash: false,
    });
    expect(await stronger.verify(hash, 'a perfectly fine passphrase')).toEqual({
      valid: true,
      needsRehash: true,
    });
    // Only a successful verification asks for a rehash (it needs the plaintext).
    expect(await stronger.verify(hash, 'wrong passphrase')).toEqual({
      valid: false,
      needsRehash: false,
    });
    const memory = new PasswordHasher({ ...BASELINE, argon2: { ...CHEAP, memoryKib: 2_048 } });
    const lanes = new PasswordHasher({ ...BASELINE, argon2: { ...CHEAP, parallelism: 2 } });
    expect(memory.needsRehash(hash)).toBe(true);
    expect(lanes.needsRehash(hash)).toBe(true);
  });

  it('asks to rehash hashes of another argon2 variant, still verifying them', async () => {
    const hasher = new PasswordHasher({ ...BASELINE, argon2: CHEAP });
    const legacy = await argon2.hash('old but valid password', {
      type: argon2.argon2i,
      memoryCost: CHEAP.memoryKib,
      timeCost: CHEAP.iterations,
      parallelism: CHEAP.parallelism,
    });
    expect(await hasher.verify(legacy, 'old but valid password')).toEqual({
      valid: true,
      needsRehash: true,
    });
  });

  it('never runs more hashes at once than its concurrency limit', async () => {
    const { engine, stats } = observedEngine();
    const hasher = new PasswordHasher({ argon2: CHEAP, concurrency: 2, queueLimit: 20 }, engine);
    const hashes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => hasher.hash(`password number ${i}`)),
    );
    expect(hashes).toHaveLength(10);
    expect(stats.hashes).toBe(10);
    // Without the cap all ten would be in flight at once.
    expect(stats.peak).toBe(2);
  });

  it('fails fast with a 503 domain error once the wait queue is full', async () => {
    const { engine, stats } = observedEngine();
    const hasher = new PasswordHasher({ argon2: CHEAP, concurrency: 1, queueLimit: 2 }, engine);
    const results = await Promise.allSettled(
      Array.from({ length: 7 }, (_, i) => hasher.hash(`storm password ${i}`)),
    );
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(fulfilled).toHaveLength(3); // one running + two queued
    expect(rejected).toHaveLength(4);
    for (const r of rejected) {
      expect(r.reason).toBeInstanceOf(DomainError);
      expect((r.reason as DomainError).code).toBe('SERVICE_UNAVAILABLE');
      expect(ERROR_CATALOGUE[(r.reason as DomainError).code].status).toBe(503);
    }
    expect(stats.hashes).toBe(3);
    expect(stats.peak).toBe(1);
    // The gate recovers once the storm passes.
    await expect(hasher.hash('after the storm')).resolves.toMatch(/^\$argon2id\$/);
  });

  it('spends one real verification with the current parameters for unknown accounts', async () => {
    const { engine, stats } = observedEngine();
    const hasher = new PasswordHasher({ ...BASELINE, argon2: CHEAP }, engine);
    await hasher.onModuleInit();
    expect(await hasher.verifyDummy('whatever they typed')).toEqual({
      valid: false,
      needsRehash: false,
    });
    expect(stats.verifiedHashes).toHaveLength(1);
    expect(parseArgon2Hash(stats.verifiedHashes[0]!)).toMatchObject({
      variant: 'argon2id',
      ...CHEAP,
    });
  });

  it('treats a malformed stored hash or an over-long password as a mismatch after equal work', async () => {
    const { engine, stats } = observedEngine();
    const hasher = new PasswordHasher({ ...BASELINE, argon2: CHEAP }, engine);
    const real = await hasher.hash('x'.repeat(20));
    expect(await hasher.verify('$2b$10$not-an-argon2-hash', 'x'.repeat(20))).toEqual({
      valid: false,
      needsRehash: false,
    });
    expect(await hasher.verify(real, 'x'.repeat(MAX_PASSWORD_BYTES + 1))).toEqual({
      valid: false,
      needsRehash: false,
    });
    expect(stats.verifiedHashes).toHaveLength(2);
    for (const used of stats.verifiedHashes) expect(used).not.toBe(real);
  });
});
