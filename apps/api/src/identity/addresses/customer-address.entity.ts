import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Sealed } from '../../privacy/encryption/sealed-column';

/** A postal address of a customer's address book; personal fields sealed, bound to the row. */
@Entity({ name: 'customer_addresses' })
export class CustomerAddress {
  @PrimaryColumn('uuid') id!: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId!: string;
  @Sealed('full_name') @Column({ name: 'full_name_sealed', type: 'text' }) fullNameSealed!: string;
  @Sealed('line1') @Column({ name: 'line1_sealed', type: 'text' }) line1Sealed!: string;
  @Sealed('line2')
  @Column({ name: 'line2_sealed', type: 'text', nullable: true })
  line2Sealed!: string | null;
  @Sealed('postal_code')
  @Column({ name: 'postal_code_sealed', type: 'text' })
  postalCodeSealed!: string;
  @Sealed('city') @Column({ name: 'city_sealed', type: 'text' }) citySealed!: string;
  @Sealed('phone')
  @Column({ name: 'phone_sealed', type: 'text', nullable: true })
  phoneSealed!: string | null;
  @Column({ type: 'char', length: 2 }) country!: string;
  @Column({ name: 'is_default', type: 'boolean' }) isDefault!: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
