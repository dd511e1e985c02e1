import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ObjectType } from 'type-graphql';
import { Node } from '../graphql/types/node.type';
import { DATETIME } from '../db/column-types';
import { CommentVisibility } from './comment-visibility.enum';
import { ChangeType, TrackedField } from './ticket.enums';
import { Ticket } from './ticket.entity';
import { User } from './user.entity';

/**
 * One entry of a ticket's history: its creation, a field edit, a comment or an audit event.
 * Table name avoids `change`, a reserved word in MySQL.
 */
@ObjectType('Change', { implements: Node, description: 'An entry in a ticket history: creation, field change, comment or audit event.' })
@Entity('ticket_change')
@Index(['ticketId', 'id'])
@Index(['ticketId', 'type', 'id'])
export class TicketChange {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  ticketId: number;

  @ManyToOne(() => Ticket, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ticket_id' })
  ticket?: Ticket;

  @Field(() => ChangeType, { description: 'What kind of entry this is; decides which other fields are set.' })
  @Column({ type: 'varchar', length: 24 })
  type: ChangeType;

  @Field(() => TrackedField, { nullable: true, description: 'The edited field, for CHANGE entries.' })
  @Column({ type: 'varchar', length: 24, nullable: true })
  field: TrackedField | null;

  /** CUSTOM_FIELD entries: the key of the custom field that changed. */
  @Field(() => String, { nullable: true, description: 'For CHANGE entries of field CUSTOM_FIELD: the key of the custom field (e.g. "site").' })
  @Column({ type: 'varchar', length: 64, nullable: true })
  customFieldKey: string | null;

  /** JSON-encoded previous value (string, or array for list fields); null for body edits. */
  @Column({ type: 'text', nullable: true })
  oldValue: string | null;

  @Column({ type: 'text', nullable: true })
  newValue: string | null;

  @Field(() => String, { nullable: true, description: 'Markdown text of a comment.' })
  @Column({ type: 'text', nullable: true })
  body: string | null;

  @Field(() => CommentVisibility, { description: 'PUBLIC entries are read by the requester; INTERNAL ones (internal notes, forwards) only by staff.' })
  // No column default: every writer sets it (HistoryWriter), and a default would make TypeORM read
  // each inserted row back (one more statement per history entry on both databases).
  @Column({ type: 'varchar', length: 16 })
  visibility: CommentVisibility;

  @Index()
  @Column({ type: 'int', nullable: true })
  authorId: number | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'author_id' })
  author?: User;

  @Field(() => Date, { description: 'When the change was made.' })
  @Column({ ...DATETIME })
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'When a comment was last edited.' })
  @Column({ ...DATETIME, nullable: true })
  editedAt: Date | null;

  @Column({ type: 'int', nullable: true })
  editedById: number | null;

  /** JOB entries: the job whose status this records. */
  @Column({ type: 'int', nullable: true })
  jobId: number | null;

  /**
   * COMMENT_VISIBILITY entries: the comment made public or internal. No foreign key, like jobId:
   * the entry outlives the comment, whose id then names nothing (Change.comment is null).
   */
  @Column({ type: 'int', nullable: true })
  commentId: number | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'edited_by_id' })
  editedBy?: User;
}
