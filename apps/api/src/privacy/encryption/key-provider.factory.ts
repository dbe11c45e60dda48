import { KMSClient } from '@aws-sdk/client-kms';
import { AwsKmsKeyProvider, LocalKeyProvider, type KeyProvider } from '@storefront/crypto';
import type { AppConfig } from '../../config/app-config';

/**
 * The KMS client of the configured provider, or `null` for the local one. Region and credentials
 * come from the environment (the ECS task role in production); calls time out rather than hang.
 */
export function createKmsClient(config: AppConfig): KMSClient | null {
  if (config.fieldEncryption.provider.kind !== 'kms') return null;
  return new KMSClient({
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 },
  });
}

/** The key provider the configuration asks for (production configuration only allows KMS). */
export function createKeyProvider(config: AppConfig, kmsClient: KMSClient | null): KeyProvider {
  const provider = config.fieldEncryption.provider;
  if (provider.kind === 'local') return new LocalKeyProvider(provider.kek);
  if (!kmsClient) throw new Error('the KMS key provider needs a KMS client');
  return new AwsKmsKeyProvider({ client: kmsClient, keyId: provider.keyId });
}
