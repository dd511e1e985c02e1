import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ObjectType } from 'type-graphql';
import { DATETIME } from '../db/column-types';
import { TicketChange } from './ticket-change.entity';
import { User } from './user.entity';

/** A superseded text of a comment, kept when the comment is edited. */
@ObjectType({ description: 'A previous text of an edited comment.' })
@Entity('comment_revision')
@Index(['changeId', 'id'])
export class CommentRevision {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  changeId: number;

  @ManyToOne(() => TicketChange, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'change_id' })
  change?: TicketChange;

  @Field({ description: 'The text as it was before the edit.' })
  @Column({ type: 'text' })
  body: string;

  /** Who wrote this text (the original author or an earlier editor). */
  @Column({ type: 'int', nullable: true })
  authorId: number | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'author_id' })
  author?: User;

  @Field(() => Date, { description: 'When this text was written.' })
  @Column({ ...DATETIME })
  writtenAt: Date;

  @Field(() => Date, { description: 'When this text was replaced.' })
  @Column({ ...DATETIME })
  replacedAt: Date;
}
