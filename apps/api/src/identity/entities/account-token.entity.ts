import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** What an emailed single-use token is for. */
export type AccountTokenPurpose =
  'verify-email' | 'password-reset' | 'change-email' | 'staff-invite';

/**
 * An emailed single-use token (≥ 32 random bytes). Only its SHA-256 is stored, so a copy of the
 * table hands out no live links; `used_at` is set atomically by the one request that consumes it.
 */
@Entity({ name: 'account_tokens' })
export class AccountToken {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId!: string;
  @Column({ type: 'varchar', length: 32 }) purpose!: AccountTokenPurpose;
  @Column({ name: 'token_hash', type: 'varchar', length: 64 }) tokenHash!: string;
  /** Sealed payload (the new address of an email change). */
  @Column({ name: 'payload_sealed', type: 'text', nullable: true }) payloadSealed!: string | null;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt!: Date;
  @Column({ name: 'used_at', type: 'timestamptz', nullable: true }) usedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
