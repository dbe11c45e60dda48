import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A role held by a user (see `permissions.ts` for what each role may do). */
@Entity({ name: 'user_roles' })
export class UserRole {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' }) userId!: string;
  @PrimaryColumn({ type: 'varchar', length: 32 }) role!: string;
  @Column({ name: 'granted_by', type: 'uuid', nullable: true }) grantedBy!: string | null;
  @Column({ name: 'granted_at', type: 'timestamptz' }) grantedAt!: Date;
}
