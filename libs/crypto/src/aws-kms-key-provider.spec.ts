import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  DecryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  type DecryptCommandInput,
  type GenerateDataKeyCommandInput,
} from '@aws-sdk/client-kms';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AwsKmsKeyProvider, kekForRegion } from './aws-kms-key-provider';
import { DataKeyGenerationError, DataKeyUnwrapError } from './crypto-errors';
import { EnvelopeFieldCipher } from './envelope-field-cipher';
import { InMemoryKeyringStore } from './keyring';

const KEY_ARN = 'arn:aws:kms:eu-west-3:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/**
 * A stand-in for the KMS service behind the mocked client: it answers GenerateDataKey and Decrypt
 * with the response shapes of the SDK and, like KMS, refuses a Decrypt whose EncryptionContext
 * differs from the one given at generation (the context is authenticated data of the wrapping).
 */
function fakeKms(kms: AwsClientStub<KMSClient>) {
  const kek = randomBytes(32);
  const contextBytes = (context: Record<string, string> | undefined) =>
    Buffer.from(JSON.stringify(Object.entries(context ?? {}).sort()));
  kms.on(GenerateDataKeyCommand).callsFake((input: GenerateDataKeyCommandInput) => {
    const plaintext = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', kek, iv);
    cipher.setAAD(contextBytes(input.EncryptionContext));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      KeyId: KEY_ARN,
      Plaintext: new Uint8Array(plaintext),
      CiphertextBlob: new Uint8Array(Buffer.concat([iv, body, cipher.getAuthTag()])),
    };
  });
  kms.on(DecryptCommand).callsFake((input: DecryptCommandInput) => {
    const blob = Buffer.from(input.CiphertextBlob ?? new Uint8Array());
    const decipher = createDecipheriv('aes-256-gcm', kek, blob.subarray(0, 12));
    decipher.setAAD(contextBytes(input.EncryptionContext));
    decipher.setAuthTag(blob.subarray(44));
    try {
      const plaintext = Buffer.concat([decipher.update(blob.subarray(12, 44)), decipher.final()]);
      return { KeyId: KEY_ARN, Plaintext: new Uint8Array(plaintext) };
    } catch {
      throw Object.assign(new Error('InvalidCiphertextException'), {
        name: 'InvalidCiphertextException',
      });
    }
  });
}

describe('AwsKmsKeyProvider', () => {
  const kms = mockClient(KMSClient);
  beforeEach(() => {
    kms.reset();
  });
  afterEach(() => {
    kms.reset();
  });

  const provider = () =>
    new AwsKmsKeyProvider({
      client: new KMSClient({ region: 'eu-west-3' }),
      keyId: 'alias/storefront-fields',
    });

  it('asks KMS GenerateDataKey for an AES_256 key under the configured KEK, with the encryption context', async () => {
    fakeKms(kms);
    const generated = await provider().generateDataKey('20261120-abc');
    const calls = kms.commandCalls(GenerateDataKeyCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      KeyId: 'alias/storefront-fields',
      KeySpec: 'AES_256',
      EncryptionContext: { purpose: 'storefront-field-encryption', keyId: '20261120-abc' },
    });
    expect(generated.plaintextKey).toHaveLength(32);
    expect(generated.kekId).toBe(KEY_ARN);
  });

  it('unwraps with KMS Decrypt naming the KEK ARN and the same encryption context', async () => {
    fakeKms(kms);
    const p = provider();
    const generated = await p.generateDataKey('k1');
    const clear = await p.unwrapDataKey({ keyId: 'k1', ...generated });
    expect(clear.equals(generated.plaintextKey)).toBe(true);
    const calls = kms.commandCalls(DecryptCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.KeyId).toBe(KEY_ARN);
    expect(input.EncryptionContext).toEqual({
      purpose: 'storefront-field-encryption',
      keyId: 'k1',
    });
    expect(Buffer.from(input.CiphertextBlob!).equals(generated.wrappedKey)).toBe(true);
  });

  it('cannot unwrap a wrapped key presented under another key id (context mismatch)', async () => {
    fakeKms(kms);
    const p = provider();
    const generated = await p.generateDataKey('k1');
    await expect(p.unwrapDataKey({ ...generated, keyId: 'k2' })).rejects.toThrow(
      new DataKeyUnwrapError('KMS Decrypt of data key k2 failed: InvalidCiphertextException'),
    );
  });

  it('turns KMS failures into key errors that carry the AWS error name only', async () => {
    kms.on(GenerateDataKeyCommand).rejects(
      Object.assign(new Error('User arn:aws:iam::1:role/x is not authorized'), {
        name: 'AccessDeniedException',
      }),
    );
    kms
      .on(DecryptCommand)
      .rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    await expect(provider().generateDataKey('k1')).rejects.toThrow(
      new DataKeyGenerationError('KMS GenerateDataKey failed: AccessDeniedException'),
    );
    await expect(
      provider().unwrapDataKey({ keyId: 'k1', wrappedKey: Buffer.of(1), kekId: KEY_ARN }),
    ).rejects.toThrow(/ThrottlingException/);
  });

  it('refuses responses that do not carry a 32-byte key', async () => {
    kms.on(GenerateDataKeyCommand).resolves({
      KeyId: KEY_ARN,
      Plaintext: new Uint8Array(16),
      CiphertextBlob: new Uint8Array(100),
    });
    kms.on(DecryptCommand).resolves({ KeyId: KEY_ARN, Plaintext: new Uint8Array(31) });
    await expect(provider().generateDataKey('k1')).rejects.toThrow(DataKeyGenerationError);
    await expect(
      provider().unwrapDataKey({ keyId: 'k1', wrappedKey: Buffer.of(1), kekId: KEY_ARN }),
    ).rejects.toThrow(DataKeyUnwrapError);
  });

  it('refuses a Decrypt answered by another KMS key than the one that wrapped the data key', async () => {
    kms.on(DecryptCommand).resolves({
      KeyId: 'arn:aws:kms:eu-west-3:111122223333:key/ffffffff-0000-0000-0000-000000000000',
      Plaintext: new Uint8Array(32),
    });
    await expect(
      provider().unwrapDataKey({ keyId: 'k1', wrappedKey: Buffer.of(1), kekId: KEY_ARN }),
    ).rejects.toThrow(/expected arn:aws:kms/);
  });

  it('drives the envelope cipher end to end: one GenerateDataKey, one Decrypt per process', async () => {
    fakeKms(kms);
    const keyring = new InMemoryKeyringStore();
    const writer = new EnvelopeFieldCipher({ keyring, provider: provider() });
    const context = { table: 'users', column: 'email', rowId: '1' };
    const sealed = await writer.encrypt('ada@example.com', context);
    await writer.encrypt('bob@example.com', { ...context, rowId: '2' });
    // Another process (fresh cache) unwraps the stored key through KMS once.
    const reader = new EnvelopeFieldCipher({ keyring, provider: provider() });
    expect(await reader.decrypt(sealed, context)).toBe('ada@example.com');
    expect(await reader.decrypt(sealed, context)).toBe('ada@example.com');
    expect(kms.commandCalls(GenerateDataKeyCommand)).toHaveLength(1);
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(1);
    const [record] = await keyring.list();
    expect(record).toMatchObject({ provider: 'aws-kms', kekId: KEY_ARN, status: 'active' });
  });

  it('after a region failover, unwraps a multi-Region key’s data keys with the replica in its own region', async () => {
    const primary = 'arn:aws:kms:eu-west-3:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';
    const replica = 'arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';
    kms.on(DecryptCommand).resolves({ KeyId: replica, Plaintext: new Uint8Array(32) });
    const drProvider = new AwsKmsKeyProvider({
      client: new KMSClient({ region: 'eu-west-1' }),
      keyId: replica,
    });
    await drProvider.unwrapDataKey({ keyId: 'k1', kekId: primary, wrappedKey: randomBytes(64) });
    expect(kms.commandCalls(DecryptCommand)[0]!.args[0].input.KeyId).toBe(replica);
  });
});

describe('kekForRegion', () => {
  const mrk = 'arn:aws:kms:eu-west-3:111122223333:key/mrk-0123456789abcdef0123456789abcdef';
  it('moves only multi-Region key ARNs to the client’s region', () => {
    expect(kekForRegion(mrk, 'eu-west-1')).toBe(mrk.replace('eu-west-3', 'eu-west-1'));
    expect(kekForRegion(mrk, 'eu-west-3')).toBe(mrk);
    expect(kekForRegion(KEY_ARN, 'eu-west-1')).toBe(KEY_ARN);
    expect(kekForRegion('alias/storefront-fields', 'eu-west-1')).toBe('alias/storefront-fields');
    expect(kekForRegion(mrk, undefined)).toBe(mrk);
  });
});
