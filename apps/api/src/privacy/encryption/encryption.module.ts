import type { KMSClient } from '@aws-sdk/client-kms';
import {
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
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

/** How often every instance re-reads the active key (a rotation reaches all within this time). */
export const ACTIVE_KEY_REFRESH_MS = 60_000;

/** Injection token of the keyring store (PostgreSQL `encryption_keys`). */
export const KEYRING_STORE = Symbol('KEYRING_STORE');

/**
 * Field-level encryption for every context: `FIELD_CIPHER` (envelope AES-256-GCM, data keys in
 * the PostgreSQL keyring wrapped by the local KEK or AWS KMS, unwrapped keys cached in memory) and
 * `BLIND_INDEX` (HMAC under its own key). Global, so contexts inject the tokens without importing
 * this module. Also provides the rotation handle (`ENVELOPE_CIPHER`) and the {@link ReencryptionJob}.
 *
 * At startup it loads the active key (creating the first one) and unwraps the recent keys, so that
 * sealing inside a caller's transaction never waits for another database connection or for KMS.
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
export class EncryptionModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('EncryptionModule');
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(KMS_CLIENT) private readonly kms: KMSClient | null,
    @Inject(ENVELOPE_CIPHER) private readonly cipher: EnvelopeFieldCipher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Notice a rotation made elsewhere within a minute, even on an instance that seals nothing.
    this.refreshTimer = setInterval(() => {
      this.cipher.refreshInBackground();
    }, ACTIVE_KEY_REFRESH_MS).unref();
    try {
      await this.cipher.warmUp();
    } catch (error) {
      // Not fatal (a KMS blip must not stop a deploy); the first use retries. Name and code only.
      const code = (error as { code?: unknown }).code;
      this.logger.warn(
        `field-encryption keys not preloaded: ${error instanceof Error ? error.name : 'Error'}${typeof code === 'string' ? ` ${code}` : ''}`,
      );
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.refreshTimer);
    this.kms?.destroy();
  }
}
