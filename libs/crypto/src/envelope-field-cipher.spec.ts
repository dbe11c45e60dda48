import { createSecretKey, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  DataKeyUnwrapError,
  FieldDecryptionError,
  KeyringConflictError,
  MalformedSealedValueError,
  UnknownDataKeyError,
} from './crypto-errors';
import { EnvelopeFieldCipher } from './envelope-field-cipher';
import type { GeneratedDataKey, KeyProvider, WrappedDataKey } from './key-provider';
import { InMemoryKeyringStore } from './keyring';
import { LocalKeyProvider } from './local-key-provider';
import { formatSealedValue, parseSealedValue, sealedValueKeyId } from './sealed-value';

/** An in-memory keyring that can be made to hang, like a database connection that never comes. */
class StallableKeyring extends InMemoryKeyringStore {
  stalled = false;
  private gate<T>(result: () => Promise<T>): Promise<T> {
    return this.stalled ? new Promise<T>(() => undefined) : result();
  }
  override findActive() {
    return this.gate(() => super.findActive());
  }
  override findById(id: string) {
    return this.gate(() => super.findById(id));
  }
  override list() {
    return this.gate(() => super.list());
  }
}

/** Fails the test instead of hanging when `promise` waits on something that never comes. */
function within<T>(promise: Promise<T>, ms = 1_000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => {
        reject(new Error(`still waiting after ${ms} ms`));
      }, ms),
    ),
  ]);
}

/** Wraps a real provider and counts its calls (and can be told to fail). */
class CountingProvider implements KeyProvider {
  readonly name: string;
  generated: Buffer[] = [];
  unwraps = 0;
  failUnwrap = false;
  constructor(private readonly inner: KeyProvider) {
    this.name = inner.name;
  }
  async generateDataKey(keyId: string): Promise<GeneratedDataKey> {
    const generated = await this.inner.generateDataKey(keyId);
    this.generated.push(Buffer.from(generated.plaintextKey));
    return generated;
  }
  unwrapDataKey(stored: WrappedDataKey): Promise<Buffer> {
    this.unwraps++;
    if (this.failUnwrap) return Promise.reject(new DataKeyUnwrapError('KMS unavailable'));
    return this.inner.unwrapDataKey(stored);
  }
}

const kek = createSecretKey(randomBytes(32));
const context = { table: 'users', column: 'email', rowId: '3f1c' };

// Built at import, not inside a test: fast-check's first arbitrary of the 'binary' unit builds a
// reverse map of every code point (≈ 1 s on these 2-vCPU machines, once per process), which
// must not eat a test's time budget: under load it took one past its 5 s timeout.
const anyText = fc.string({ unit: 'binary' });

function setup(options: { maxCachedKeys?: number; activeKeyTtlMs?: number } = {}) {
  const keyring = new InMemoryKeyringStore();
  const provider = new CountingProvider(new LocalKeyProvider(kek));
  let clock = Date.parse('2026-11-20T10:00:00Z');
  const cipher = new EnvelopeFieldCipher({ keyring, provider, now: () => clock, ...options });
  return {
    keyring,
    provider,
    cipher,
    tick: (ms: number) => (clock += ms),
    /** Another process sharing the keyring (cold cache). */
    other: () => new EnvelopeFieldCipher({ keyring, provider, now: () => clock, ...options }),
  };
}

describe('EnvelopeFieldCipher', () => {
  it('round-trips through the keyring, also in a process with a cold cache (property)', async () => {
    const { cipher, other } = setup();
    const reader = other();
    await fc.assert(
      fc.asyncProperty(anyText, fc.uuid(), async (plaintext, rowId) => {
        const sealed = await cipher.encrypt(plaintext, { ...context, rowId });
        expect(await reader.decrypt(sealed, { ...context, rowId })).toBe(plaintext);
      }),
      { numRuns: 300 },
    );
  });

  it('creates the first data key on first use, once, even under concurrent first writes', async () => {
    const { cipher, keyring, provider } = setup();
    const sealed = await Promise.all(
      Array.from({ length: 20 }, (_, i) => cipher.encrypt('x', { ...context, rowId: String(i) })),
    );
    expect(await keyring.list()).toHaveLength(1);
    expect(provider.generated).toHaveLength(1);
    expect(new Set(sealed.map(sealedValueKeyId)).size).toBe(1);
  });

  it('rotation: new writes use the new key, old values keep opening until resealed', async () => {
    const { cipher, keyring } = setup();
    const old = await cipher.encrypt('ada@example.com', context);
    const oldKeyId = sealedValueKeyId(old);
    const rotated = await cipher.rotate();
    expect(rotated.id).not.toBe(oldKeyId);
    const fresh = await cipher.encrypt('bob@example.com', context);
    expect(sealedValueKeyId(fresh)).toBe(rotated.id);
    expect(await cipher.decrypt(old, context)).toBe('ada@example.com');
    expect((await keyring.list()).map((k) => [k.id, k.status])).toEqual([
      [oldKeyId, 'retired'],
      [rotated.id, 'active'],
    ]);

    const resealed = await cipher.reseal(old, context);
    expect(resealed && sealedValueKeyId(resealed)).toBe(rotated.id);
    expect(await cipher.decrypt(resealed!, context)).toBe('ada@example.com');
    expect(await cipher.reseal(resealed!, context)).toBeUndefined();
  });

  it('reseal authenticates before re-encrypting: a tampered old value is not laundered', async () => {
    const { cipher } = setup();
    const old = await cipher.encrypt('ada@example.com', context);
    await cipher.rotate();
    const parts = parseSealedValue(old);
    parts.ciphertext[0] = (parts.ciphertext[0] ?? 0) ^ 1;
    await expect(cipher.reseal(formatSealedValue(parts), context)).rejects.toThrow(
      FieldDecryptionError,
    );
    await expect(cipher.reseal(old, { ...context, rowId: 'other' })).rejects.toThrow(
      FieldDecryptionError,
    );
  });

  it('another process picks up a rotation within the active-key TTL', async () => {
    const { cipher, other, tick } = setup({ activeKeyTtlMs: 60_000 });
    const before = sealedValueKeyId(await cipher.encrypt('a', context));
    const rotated = await other().rotate();
    expect(sealedValueKeyId(await cipher.encrypt('a', context))).toBe(before);
    tick(60_000);
    // The seal that notices the stale id still uses the known key and refreshes in the background.
    expect(sealedValueKeyId(await cipher.encrypt('a', context))).toBe(before);
    await vi.waitFor(async () => {
      expect(sealedValueKeyId(await cipher.encrypt('a', context))).toBe(rotated.id);
    });
  });

  it('once warm, never waits for the keyring or the KEK (callers seal inside transactions)', async () => {
    const keyring = new StallableKeyring();
    const provider = new CountingProvider(new LocalKeyProvider(kek));
    let clock = 0;
    const writer = new EnvelopeFieldCipher({ keyring, provider, now: () => clock });
    const old = await writer.encrypt('old', context);
    await writer.rotate();
    const recent = await writer.encrypt('recent', context);

    // Another process starts: warm-up loads the active key and unwraps the recent keys.
    const cipher = new EnvelopeFieldCipher({ keyring, provider, now: () => clock });
    await cipher.warmUp();
    keyring.stalled = true;
    provider.failUnwrap = true;
    clock += 3_600_000; // far past the active-key TTL
    const sealed = await within(cipher.encrypt('fresh', context));
    expect(sealedValueKeyId(sealed)).toBe(sealedValueKeyId(recent));
    expect(await within(cipher.decrypt(old, context))).toBe('old');
    expect(await within(cipher.decrypt(recent, context))).toBe('recent');
  });

  it('a rotation based on a stale view of the keyring fails instead of leaving two active keys', async () => {
    const { keyring, cipher } = setup();
    await cipher.encrypt('a', context);
    const seen = (await keyring.findActive())!;
    await cipher.rotate(); // another process rotated meanwhile
    await expect(keyring.rotateTo({ ...seen, id: 'late' }, seen.id)).rejects.toThrow(
      KeyringConflictError,
    );
    expect((await keyring.list()).filter((k) => k.status === 'active')).toHaveLength(1);
  });

  it('fails loudly on an unknown key id, a malformed value, or a wrong context', async () => {
    const { cipher } = setup();
    const sealed = await cipher.encrypt('ada@example.com', context);
    const foreign = formatSealedValue({ ...parseSealedValue(sealed), keyId: 'nope' });
    await expect(cipher.decrypt(foreign, context)).rejects.toThrow(UnknownDataKeyError);
    await expect(cipher.decrypt('ada@example.com', context)).rejects.toThrow(
      MalformedSealedValueError,
    );
    await expect(cipher.decrypt(sealed, { ...context, column: 'name' })).rejects.toThrow(
      FieldDecryptionError,
    );
  });

  it('keeps at most maxCachedKeys unwrapped keys and unwraps each key once while cached', async () => {
    const { cipher, other, provider } = setup({ maxCachedKeys: 2 });
    const values: string[] = [];
    for (let i = 0; i < 3; i++) {
      values.push(await cipher.encrypt(`v${i}`, context));
      await cipher.rotate();
    }
    const reader = other();
    provider.unwraps = 0;
    expect(await reader.decrypt(values[0]!, context)).toBe('v0');
    expect(await reader.decrypt(values[0]!, context)).toBe('v0');
    expect(provider.unwraps).toBe(1);
    await reader.decrypt(values[1]!, context);
    await reader.decrypt(values[2]!, context); // evicts values[0]'s key
    expect(provider.unwraps).toBe(3);
    await reader.decrypt(values[0]!, context);
    expect(provider.unwraps).toBe(4);
  });

  it('does not cache a failed unwrap (a KMS outage heals)', async () => {
    const { cipher, other, provider } = setup();
    const sealed = await cipher.encrypt('ada@example.com', context);
    const reader = other();
    provider.failUnwrap = true;
    await expect(reader.decrypt(sealed, context)).rejects.toThrow(DataKeyUnwrapError);
    provider.failUnwrap = false;
    expect(await reader.decrypt(sealed, context)).toBe('ada@example.com');
  });

  it('refuses keys wrapped by another kind of provider', async () => {
    const { cipher, keyring } = setup();
    const sealed = await cipher.encrypt('x', context);
    const kms = new EnvelopeFieldCipher({
      keyring,
      provider: Object.assign(new LocalKeyProvider(kek), { name: 'aws-kms' }),
    });
    await expect(kms.decrypt(sealed, context)).rejects.toThrow(/wrapped by the local provider/);
  });

  it('never exposes data key bytes when inspected or serialised (safe to log by mistake)', async () => {
    const keyring = new InMemoryKeyringStore();
    const provider = new LocalKeyProvider(kek);
    const cipher = new EnvelopeFieldCipher({ keyring, provider });
    await cipher.encrypt('ada@example.com', context);
    await cipher.rotate();
    await cipher.decrypt(await cipher.encrypt('x', context), context);
    const records = await keyring.list();
    expect(records).toHaveLength(2);
    const dump = `${inspect(cipher, { depth: 10, showHidden: true })}${JSON.stringify(cipher)}`;
    for (const record of records) {
      const key = await provider.unwrapDataKey({ keyId: record.id, ...record });
      for (const encoding of ['hex', 'base64', 'base64url'] as const) {
        expect(dump).not.toContain(key.toString(encoding).slice(0, 16));
      }
      expect(dump).not.toContain(Array.from(key.subarray(0, 8)).join(','));
      expect(dump).not.toContain(
        key
          .subarray(0, 8)
          .toString('hex')
          .replace(/(..)(?!$)/g, '$1 '),
      );
      expect(dump).not.toMatch(new RegExp(Array.from(key.subarray(0, 6)).join(',\\s*')));
    }
  });
});
