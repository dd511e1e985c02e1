import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ObjectType } from 'type-graphql';
import { Node } from '../graphql/types/node.type';
import { DATETIME } from '../db/column-types';

/** A team of agents; categories can hand their new tickets to a group's members in turn. */
@ObjectType('Group', { implements: Node, description: 'A team of users (for auto-assignment).' })
@Entity('user_group')
export class UserGroup {
  @PrimaryGeneratedColumn()
  id: number;

  @Field({ description: 'Stable identifier used in inputs, e.g. "dba".' })
  @Column({ type: 'varchar', length: 64, unique: true })
  key: string;

  @Field({ description: 'Display name.' })
  @Column({ type: 'varchar', length: 200 })
  title: string;

  /** Round-robin position: the member who got the last auto-assigned ticket. */
  @Column({ type: 'int', nullable: true })
  lastAssignedUserId: number | null;

  @Field(() => Date, { description: 'When the group was created.' })
  @Column({ ...DATETIME })
  createdAt: Date;
}
