import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/** One purchasable SKU of a product. Price in integer minor units, VAT in basis points. */
@Entity({ name: 'product_variant' })
export class ProductVariant {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'product_id', type: 'uuid' }) productId!: string;
  @Column({ type: 'varchar', length: 64 }) sku!: string;
  @Column({ type: 'jsonb' }) options!: Record<string, string>;
  @Column({ name: 'price_amount', type: 'integer' }) priceAmount!: number;
  @Column({ type: 'char', length: 3 }) currency!: 'EUR';
  @Column({ name: 'vat_rate_bp', type: 'integer' }) vatRateBp!: number;
  @Column({ type: 'integer' }) stock!: number;
  @Column({ type: 'varchar', length: 16 }) status!: 'active' | 'inactive';
  @Column({ type: 'integer' }) position!: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
