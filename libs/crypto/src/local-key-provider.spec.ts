import { createSecretKey, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DataKeyUnwrapError } from './crypto-errors';
import { LocalKeyProvider } from './local-key-provider';

const kek = createSecretKey(randomBytes(32));

describe('LocalKeyProvider', () => {
  it('generates 32-byte data keys and unwraps them again', async () => {
    const provider = new LocalKeyProvider(kek);
    const generated = await provider.generateDataKey('k1');
    expect(generated.plaintextKey).toHaveLength(32);
    expect(generated.wrappedKey.includes(generated.plaintextKey)).toBe(false);
    const clear = await provider.unwrapDataKey({ keyId: 'k1', ...generated });
    expect(clear.equals(generated.plaintextKey)).toBe(true);
  });

  it('binds a wrapped key to its key id: presented as another key, it does not unwrap', async () => {
    const provider = new LocalKeyProvider(kek);
    const generated = await provider.generateDataKey('k1');
    await expect(provider.unwrapDataKey({ ...generated, keyId: 'k2' })).rejects.toThrow(
      DataKeyUnwrapError,
    );
  });

  it('refuses a wrapped key that was altered', async () => {
    const provider = new LocalKeyProvider(kek);
    const generated = await provider.generateDataKey('k1');
    for (let i = 1; i < generated.wrappedKey.length; i++) {
      const altered = Buffer.from(generated.wrappedKey);
      altered[i] = (altered[i] ?? 0) ^ 1;
      await expect(
        provider.unwrapDataKey({ keyId: 'k1', wrappedKey: altered, kekId: generated.kekId }),
      ).rejects.toThrow(DataKeyUnwrapError);
    }
  });

  it('names the KEK by a fingerprint that is not the KEK, and refuses keys of another KEK', async () => {
    const provider = new LocalKeyProvider(kek);
    const other = new LocalKeyProvider(createSecretKey(randomBytes(32)));
    expect(provider.kekId).toMatch(/^local:[0-9a-f]{32}$/);
    expect(provider.kekId).not.toContain(kek.export().toString('hex').slice(0, 32));
    expect(other.kekId).not.toBe(provider.kekId);
    const generated = await provider.generateDataKey('k1');
    await expect(other.unwrapDataKey({ keyId: 'k1', ...generated })).rejects.toThrow(
      /wrapped by KEK/,
    );
    // Even with the KEK id forged, the other KEK cannot authenticate the wrapping.
    await expect(
      other.unwrapDataKey({ keyId: 'k1', ...generated, kekId: other.kekId }),
    ).rejects.toThrow(DataKeyUnwrapError);
  });

  it('accepts only a 32-byte KEK', () => {
    expect(() => new LocalKeyProvider(createSecretKey(randomBytes(16)))).toThrow(TypeError);
  });
});
