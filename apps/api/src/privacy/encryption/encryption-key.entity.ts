import type { DataKeyStatus } from '@storefront/crypto';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A data key of the field-encryption keyring, stored wrapped by the KEK (never in clear). One row
 * is `active` (new values are sealed under it); `retired` rows keep opening older values until the
 * re-encryption job has moved them.
 */
@Entity({ name: 'encryption_keys' })
export class EncryptionKey {
  /** The key id written into every sealed value. */
  @PrimaryColumn({ type: 'varchar', length: 64 }) id!: string;
  /** The data key encrypted under the KEK (a local wrapping or a KMS ciphertext blob). */
  @Column({ name: 'wrapped_key', type: 'bytea' }) wrappedKey!: Buffer;
  /** `local` or `aws-kms`. */
  @Column({ type: 'varchar', length: 16 }) provider!: string;
  /** Which KEK wrapped it: local fingerprint or KMS key ARN. */
  @Column({ name: 'kek_id', type: 'varchar', length: 2048 }) kekId!: string;
  @Column({ type: 'varchar', length: 16 }) status!: DataKeyStatus;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true }) retiredAt!: Date | null;
}

/**
 * Where a re-encryption run stands for one sealed column and one target key: the last primary key
 * it finished, and counts. A stopped run resumes after `lastRowId`.
 */
@Entity({ name: 'encryption_reencryption_progress' })
export class ReencryptionProgress {
  @PrimaryColumn({ name: 'table_name', type: 'varchar', length: 63 }) tableName!: string;
  @PrimaryColumn({ name: 'column_name', type: 'varchar', length: 63 }) columnName!: string;
  @PrimaryColumn({ name: 'target_key_id', type: 'varchar', length: 64 }) targetKeyId!: string;
  @Column({ name: 'last_row_id', type: 'text', nullable: true }) lastRowId!: string | null;
  /** bigint: comes back as a string. */
  @Column({ type: 'bigint' }) resealed!: string;
  /** Values rewritten by the application during the run (left as the application wrote them). */
  @Column({ type: 'bigint' }) skipped!: string;
  @Column({ name: 'started_at', type: 'timestamptz' }) startedAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt!: Date | null;
}

/** Entities of the field-encryption context. */
export const ENCRYPTION_ENTITIES = [EncryptionKey, ReencryptionProgress];
