import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ObjectType } from 'type-graphql';
import { Node } from '../graphql/types/node.type';
import { DATETIME } from '../db/column-types';
import { User } from './user.entity';
import type { Privilege } from './ticket.enums';

/** An API key. Only the SHA-256 of the secret is stored: keys are 256-bit random, so a slow hash adds nothing. */
@ObjectType({ implements: Node, description: 'A key that authenticates as its user (Authorization: Bearer), optionally limited to some privileges and categories.' })
@Entity('api_key')
export class ApiKey {
  @PrimaryGeneratedColumn()
  id: number;

  @Index()
  @Column({ type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Field({ description: 'What the key is for, e.g. "deploy pipeline".' })
  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 64, unique: true })
  keyHash: string;

  @Field({ description: 'The first characters of the key, to recognise it in lists.' })
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  /** The privileges this key is limited to (intersected with its user's at each request); null: all of the user's. */
  @Column({ type: 'simple-json', nullable: true })
  privileges: Privilege[] | null;

  /** Category ids this key is limited to (intersected with its user's); null: all the user may see. */
  @Column({ type: 'simple-json', nullable: true })
  categoryIds: number[] | null;

  /** Limits the key to its user's own tickets (requested, created, assigned, cc); a restricted user's keys are limited anyway. */
  @Column({ type: 'boolean', default: false })
  ownTicketsOnly: boolean;

  @Field(() => Date, { nullable: true, description: 'When the key stops working; null: never.' })
  @Column({ ...DATETIME, nullable: true })
  expiresAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the key last authenticated a request; null: never used.' })
  @Column({ ...DATETIME, nullable: true })
  lastUsedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the key was revoked (apiKeyRevoke); null while it is valid.' })
  @Column({ ...DATETIME, nullable: true })
  revokedAt: Date | null;

  @Field(() => Date, { description: 'When the key was created.' })
  @Column({ ...DATETIME })
  createdAt: Date;
}
