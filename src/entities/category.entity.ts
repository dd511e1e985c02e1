import { Column, Entity, JoinColumn, ManyToOne } from 'typeorm';
import { Field, ObjectType } from 'type-graphql';
import { Node } from '../graphql/types/node.type';
import { KeyedLabel } from './keyed-label.base';
import { UserGroup } from './user-group.entity';

@ObjectType({ implements: Node, description: 'A ticket category. Users can be restricted to some categories.' })
@Entity('category')
export class Category extends KeyedLabel {
  /** The team that works this category's tickets. */
  @Column({ type: 'int', nullable: true })
  groupId: number | null;

  @ManyToOne(() => UserGroup, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'group_id' })
  group?: UserGroup;

  @Field({ description: "New tickets without assignees go to the group's members in turn." })
  @Column({ type: 'boolean', default: false })
  autoAssign: boolean;
}
