import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { Sealed } from '../../privacy/encryption/field-cipher';

/** bigint columns come back from PostgreSQL as strings; the counter always fits a JS number. */
const uint32 = {
  to: (value: number) => value,
  from: (value: string | number) => Number(value),
};

/**
 * A passkey: a WebAuthn public-key credential registered by an account (migration
 * `1763860000000-create-webauthn-credentials`). Reads and writes go through
 * {@link PasskeyCredentialsRepository}, whose every query takes the owner.
 */
@Entity({ name: 'webauthn_credentials' })
export class WebauthnCredential {
  /** Our id (a uuid), used in URLs; generated before sealing, as it is part of the name's AAD. */
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId!: string;
  /** The authenticator's credential id, base64url. Unique across all accounts. */
  @Column({ name: 'credential_id', type: 'text' }) credentialId!: string;
  /** COSE-encoded public key, as registered. */
  @Column({ name: 'public_key', type: 'bytea' }) publicKey!: Buffer;
  /** Last signature counter seen (0 for authenticators that keep none). */
  @Column({ name: 'sign_count', type: 'bigint', transformer: uint32 }) signCount!: number;
  @Column({ type: 'text', array: true }) transports!: string[];
  /** `multiDevice` credentials can be synced by a passkey provider. */
  @Column({ name: 'device_type', type: 'varchar', length: 16 })
  deviceType!: 'singleDevice' | 'multiDevice';
  @Column({ name: 'backed_up', type: 'boolean' }) backedUp!: boolean;
  /** The opaque WebAuthn user handle given to the authenticator, base64url. */
  @Column({ name: 'user_handle', type: 'text' }) userHandle!: string;
  /** Authenticator model (all zeroes when the authenticator does not say). */
  @Column({ type: 'uuid' }) aaguid!: string;
  /** The name the account holder gave it, sealed (`{ table, column: 'name', rowId: id }`). */
  @Sealed('name') @Column({ name: 'name_sealed', type: 'text' }) nameSealed!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true }) lastUsedAt!: Date | null;
}

/** Entities of the passkeys part of the identity context. */
export const PASSKEY_ENTITIES = [WebauthnCredential];
