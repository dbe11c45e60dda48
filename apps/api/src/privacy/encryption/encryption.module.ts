import type { KMSClient } from '@aws-sdk/client-kms';
import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import {
  EnvelopeFieldCipher,
  HmacBlindIndex,
  type KeyProvider,
  type KeyringStore,
} from '@storefront/crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ENVELOPE_CIPHER, KEY_PROVIDER, KMS_CLIENT } from './encryption.tokens';
import { BLIND_INDEX, FIELD_CIPHER } from './field-cipher';
import { createKeyProvider, createKmsClient } from './key-provider.factory';
import { ReencryptionJob } from './reencryption.job';
import { TypeOrmKeyringStore } from './typeorm-keyring.store';

/** Injection token of the keyring store (PostgreSQL `encryption_keys`). */
export const KEYRING_STORE = Symbol('KEYRING_STORE');

/**
 * Field-level encryption for every context: `FIELD_CIPHER` (envelope AES-256-GCM, data keys in
 * the PostgreSQL keyring wrapped by the local KEK or AWS KMS, unwrapped keys cached in memory) and
 * `BLIND_INDEX` (HMAC under its own key). Global, so contexts inject the tokens without importing
 * this module. Also provides the rotation handle (`ENVELOPE_CIPHER`) and the {@link ReencryptionJob}.
 */
@Global()
@Module({
  providers: [
    { provide: KMS_CLIENT, inject: [APP_CONFIG], useFactory: createKmsClient },
    { provide: KEY_PROVIDER, inject: [APP_CONFIG, KMS_CLIENT], useFactory: createKeyProvider },
    {
      provide: KEYRING_STORE,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => new TypeOrmKeyringStore(dataSource),
    },
    {
      provide: ENVELOPE_CIPHER,
      inject: [KEYRING_STORE, KEY_PROVIDER],
      useFactory: (keyring: KeyringStore, provider: KeyProvider) =>
        new EnvelopeFieldCipher({ keyring, provider }),
    },
    { provide: FIELD_CIPHER, useExisting: ENVELOPE_CIPHER },
    {
      provide: BLIND_INDEX,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new HmacBlindIndex(config.fieldEncryption.blindIndexKey),
    },
    ReencryptionJob,
  ],
  exports: [FIELD_CIPHER, BLIND_INDEX, ENVELOPE_CIPHER, KEYRING_STORE, ReencryptionJob],
})
export class EncryptionModule implements OnApplicationShutdown {
  constructor(@Inject(KMS_CLIENT) private readonly kms: KMSClient | null) {}

  onApplicationShutdown(): void {
    this.kms?.destroy();
  }
}
