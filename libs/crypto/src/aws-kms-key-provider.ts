import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DataKeyGenerationError, DataKeyUnwrapError } from './crypto-errors';
import {
  dataKeyEncryptionContext,
  type GeneratedDataKey,
  type KeyProvider,
  type WrappedDataKey,
} from './key-provider';
import { DATA_KEY_BYTES } from './sealed-value';

/** Options of {@link AwsKmsKeyProvider}. */
export interface AwsKmsKeyProviderOptions {
  /** A configured client (region and credentials from the task role). */
  client: KMSClient;
  /** The KMS key that wraps new data keys: key id, key ARN, alias name or alias ARN. */
  keyId: string;
}

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\//;

function awsErrorName(error: unknown): string {
  return error instanceof Error ? error.name : 'UnknownError';
}

/**
 * Production key provider: data keys come from KMS `GenerateDataKey` (AES_256) and are unwrapped
 * by KMS `Decrypt`; the KEK never leaves KMS. Every call carries the data key's encryption
 * context, so CloudTrail records which data key was used and a wrapped key cannot be replayed as
 * another one. `Decrypt` names the KEK the key was wrapped with (the ARN stored at generation),
 * which keeps old data keys readable after the configured key changes.
 */
export class AwsKmsKeyProvider implements KeyProvider {
  readonly name = 'aws-kms';
  private readonly client: KMSClient;
  private readonly keyId: string;

  constructor(options: AwsKmsKeyProviderOptions) {
    this.client = options.client;
    this.keyId = options.keyId;
  }

  async generateDataKey(keyId: string): Promise<GeneratedDataKey> {
    let output;
    try {
      output = await this.client.send(
        new GenerateDataKeyCommand({
          KeyId: this.keyId,
          KeySpec: 'AES_256',
          EncryptionContext: dataKeyEncryptionContext(keyId),
        }),
      );
    } catch (error) {
      // AWS error messages carry no key material; the name (AccessDeniedException…) is enough.
      throw new DataKeyGenerationError(`KMS GenerateDataKey failed: ${awsErrorName(error)}`);
    }
    const { Plaintext, CiphertextBlob, KeyId } = output;
    if (Plaintext?.length !== DATA_KEY_BYTES || !CiphertextBlob || CiphertextBlob.length === 0) {
      throw new DataKeyGenerationError('KMS GenerateDataKey returned an unexpected response');
    }
    return {
      plaintextKey: Buffer.from(Plaintext),
      wrappedKey: Buffer.from(CiphertextBlob),
      kekId: KeyId ?? this.keyId,
    };
  }

  async unwrapDataKey(stored: WrappedDataKey): Promise<Buffer> {
    let output;
    try {
      output = await this.client.send(
        new DecryptCommand({
          CiphertextBlob: stored.wrappedKey,
          KeyId: stored.kekId,
          EncryptionContext: dataKeyEncryptionContext(stored.keyId),
        }),
      );
    } catch (error) {
      throw new DataKeyUnwrapError(
        `KMS Decrypt of data key ${stored.keyId} failed: ${awsErrorName(error)}`,
      );
    }
    if (output.Plaintext?.length !== DATA_KEY_BYTES) {
      throw new DataKeyUnwrapError(
        `KMS Decrypt of data key ${stored.keyId} returned no AES-256 key`,
      );
    }
    // Stored KEK ids are the key ARNs KMS returned at generation; an alias cannot be compared.
    if (KEY_ARN.test(stored.kekId) && output.KeyId !== stored.kekId) {
      throw new DataKeyUnwrapError(
        `KMS Decrypt of data key ${stored.keyId} used ${output.KeyId}, expected ${stored.kekId}`,
      );
    }
    return Buffer.from(output.Plaintext);
  }
}
