import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { DataKeyUnwrapError } from './crypto-errors';
import {
  dataKeyEncryptionContext,
  type GeneratedDataKey,
  type KeyProvider,
  type WrappedDataKey,
} from './key-provider';
import { DATA_KEY_BYTES, IV_BYTES, TAG_BYTES } from './sealed-value';

const WRAP_FORMAT = 0x01;
const WRAPPED_LENGTH = 1 + IV_BYTES + DATA_KEY_BYTES + TAG_BYTES;

function wrapAad(keyId: string): Buffer {
  const context = dataKeyEncryptionContext(keyId);
  const sorted = Object.keys(context)
    .sort()
    .map((k) => [k, context[k]]);
  return Buffer.from(`storefront-dek-wrap-v1:${JSON.stringify(sorted)}`, 'utf8');
}

/**
 * A key provider whose KEK is a 32-byte key held in process memory (from
 * `FIELD_ENCRYPTION_LOCAL_KEK`, or derived for development). Data keys are wrapped with
 * AES-256-GCM, bound to their key id. For development and tests only: production configuration
 * refuses it and uses {@link AwsKmsKeyProvider}.
 */
export class LocalKeyProvider implements KeyProvider {
  readonly name = 'local';
  /** Fingerprint of the KEK (not the KEK): tells which local KEK wrapped a stored key. */
  readonly kekId: string;

  constructor(private readonly kek: KeyObject) {
    if (kek.type !== 'secret' || kek.symmetricKeySize !== DATA_KEY_BYTES) {
      throw new TypeError('the local KEK must be a 32-byte secret key');
    }
    const fingerprint = createHmac('sha256', kek).update('storefront/kek-fingerprint/v1').digest();
    this.kekId = `local:${fingerprint.subarray(0, 16).toString('hex')}`;
  }

  generateDataKey(keyId: string): Promise<GeneratedDataKey> {
    const plaintextKey = randomBytes(DATA_KEY_BYTES);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.kek, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(wrapAad(keyId));
    const wrapped = Buffer.concat([cipher.update(plaintextKey), cipher.final()]);
    const wrappedKey = Buffer.concat([Buffer.of(WRAP_FORMAT), iv, wrapped, cipher.getAuthTag()]);
    return Promise.resolve({ plaintextKey, wrappedKey, kekId: this.kekId });
  }

  unwrapDataKey(stored: WrappedDataKey): Promise<Buffer> {
    if (stored.kekId !== this.kekId) {
      return Promise.reject(
        new DataKeyUnwrapError(
          `data key ${stored.keyId} was wrapped by KEK ${stored.kekId}, not by the configured ${this.kekId}`,
        ),
      );
    }
    const blob = stored.wrappedKey;
    if (blob.length !== WRAPPED_LENGTH || blob[0] !== WRAP_FORMAT) {
      return Promise.reject(
        new DataKeyUnwrapError(`data key ${stored.keyId} is not a local wrapped key`),
      );
    }
    const iv = blob.subarray(1, 1 + IV_BYTES);
    const body = blob.subarray(1 + IV_BYTES, 1 + IV_BYTES + DATA_KEY_BYTES);
    const tag = blob.subarray(1 + IV_BYTES + DATA_KEY_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.kek, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(wrapAad(stored.keyId));
    decipher.setAuthTag(tag);
    try {
      return Promise.resolve(Buffer.concat([decipher.update(body), decipher.final()]));
    } catch {
      return Promise.reject(
        new DataKeyUnwrapError(`data key ${stored.keyId} failed to unwrap (altered or misfiled)`),
      );
    }
  }
}
