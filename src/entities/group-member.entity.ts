import { Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from './user.entity';
import { UserGroup } from './user-group.entity';

@Entity('group_member')
export class GroupMember {
  @PrimaryColumn({ type: 'int' })
  groupId: number;

  @PrimaryColumn({ type: 'int' })
  userId: number;

  @ManyToOne(() => UserGroup, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'group_id', foreignKeyConstraintName: 'FK_group_member_group' })
  group?: UserGroup;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_group_member_user' })
  user?: User;
}
