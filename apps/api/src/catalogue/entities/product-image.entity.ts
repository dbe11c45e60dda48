import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An image of a product (a URL for now; uploads to private S3 come with the back office). */
@Entity({ name: 'product_image' })
export class ProductImage {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'product_id', type: 'uuid' }) productId!: string;
  @Column({ type: 'varchar', length: 2048 }) url!: string;
  @Column({ type: 'varchar', length: 300 }) alt!: string;
  @Column({ type: 'integer' }) position!: number;
}
