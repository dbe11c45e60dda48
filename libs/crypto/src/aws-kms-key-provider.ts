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
const MULTI_REGION_KEY_ARN = /^(arn:aws[a-z-]*:kms:)([a-z0-9-]+)(:\d{12}:key\/mrk-[0-9a-f]+)$/;

/**
 * The KEK to name in `Decrypt` for a data key wrapped under `kekId`, from a client in `region`.
 * A multi-Region key has the same key material and id in every region it is replicated to, so a
 * data key wrapped by the primary (say eu-west-3) is unwrapped by the replica in the client's own
 * region (eu-west-1 after a region failover): same ARN, with the client's region.
 */
export function kekForRegion(kekId: string, region: string | undefined): string {
  const match = MULTI_REGION_KEY_ARN.exec(kekId);
  if (!match || !region || match[2] === region) return kekId;
  return `${match[1]}${region}${match[3]}`;
}

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
    let kekId = stored.kekId;
    try {
      kekId = kekForRegion(stored.kekId, await this.client.config.region());
      output = await this.client.send(
        new DecryptCommand({
          CiphertextBlob: stored.wrappedKey,
          KeyId: kekId,
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
    if (KEY_ARN.test(kekId) && output.KeyId !== kekId) {
      throw new DataKeyUnwrapError(
        `KMS Decrypt of data key ${stored.keyId} used ${output.KeyId}, expected ${kekId}`,
      );
    }
    return Buffer.from(output.Plaintext);
  }
}
