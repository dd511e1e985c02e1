import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DATETIME } from '../db/column-types';
import { User } from './user.entity';

/**
 * A mutation already applied for (user, operation, clientMutationId): the hash of its input and a
 * reference to what it produced, so a retry returns that instead of writing again. See idempotency.service.ts.
 */
@Entity('idempotency_key')
@Index('IDX_idempotency_key_caller', ['userId', 'operation', 'clientMutationId'], { unique: true })
export class IdempotencyKey {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_idempotency_key_user' })
  user?: User;

  @Column({ type: 'varchar', length: 64 })
  operation: string;

  @Column({ type: 'varchar', length: 100 })
  clientMutationId: string;

  @Column({ type: 'varchar', length: 64 })
  inputHash: string;

  /** JSON: ids of what the first call created (e.g. {"ticketId":5}). */
  @Column({ type: 'text' })
  result: string;

  @Index('IDX_idempotency_key_created')
  @Column({ ...DATETIME })
  createdAt: Date;
}
