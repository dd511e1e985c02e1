import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { Node } from '../graphql/types/node.type';
import { DATETIME, MariaDbExact } from '../db/column-types';
import { TicketPriority, TicketStatus, TicketType } from './ticket.enums';
import { Category } from './category.entity';
import { TicketOriginKind } from './job.enums';
import { TicketSource } from './ticket-source.enum';
import { User } from './user.entity';

@ObjectType({ implements: Node, description: 'A unit of operational work with an audit trail.' })
@Directive('@key(fields: "id")')
@Directive('@key(fields: "number")')
@Entity('ticket')
@Index(['status', 'number'])
@Index(['deletedAt', 'number'])
@Index('IDX_ticket_origin', ['originKind', 'originId'])
// Retries of an integration's create find the first ticket by this; unique so concurrent ones cannot both insert.
@Index('UQ_ticket_source_external_id', ['source', 'externalId'], { unique: true })
export class Ticket {
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => Int, { description: 'Human ticket number (1, 2, 3 ...), accepted wherever a ticket id is.' })
  @Column({ type: 'int', unique: true })
  number: number;

  @Field({ description: 'One-line summary; HTML is removed.' })
  @Column({ type: 'varchar', length: 300 })
  subject: string;

  @Field({ description: 'Markdown source, sanitized. See bodyHtml for a rendering safe to display.' })
  @Column({ type: 'text' })
  body: string;

  @Field(() => TicketType, { description: 'What kind of work it tracks.' })
  @Column({ type: 'varchar', length: 16 })
  type: TicketType;

  @Field(() => TicketStatus, { description: 'Where the ticket is in its workflow; the allowed moves are in ticketMetadata.workflow.' })
  @Column({ type: 'varchar', length: 16 })
  status: TicketStatus;

  @Field(() => TicketPriority, { description: 'How urgent the ticket is.' })
  @Column({ type: 'smallint' })
  priority: TicketPriority;

  @Index()
  @Column({ type: 'int', nullable: true })
  categoryId: number | null;

  @ManyToOne(() => Category, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'category_id' })
  category?: Category;

  @Field(() => String, { nullable: true, description: 'Id of the server (in the ops graph) this ticket concerns.' })
  @Index()
  @Column({ type: 'varchar', length: 200, nullable: true })
  server: string | null;

  @Field(() => [String], { description: 'Extra e-mail addresses that receive updates.' })
  @Column({ type: 'simple-json' })
  notify: string[];

  @Field(() => Date, { nullable: true, description: 'When the work is due; null: no due date.' })
  @Index()
  @Column({ ...DATETIME, nullable: true })
  due: Date | null;

  @Index()
  @Column({ type: 'int' })
  creatorId: number;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'creator_id' })
  creator?: User;

  /** Who the ticket is for (the helpdesk requester); the creator unless given. */
  @Index()
  @Column({ type: 'int', nullable: true })
  requesterId: number | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'requester_id' })
  requester?: User;

  @Field(() => String, { nullable: true, description: 'What resolved the ticket (ticketResolve); kept after reopening as a record.' })
  @Column({ type: 'text', nullable: true })
  resolution: string | null;

  @Field(() => Date, { nullable: true, description: 'When the ticket was last resolved; null if never.' })
  @Column({ ...DATETIME, nullable: true })
  resolvedAt: Date | null;

  @Column({ type: 'int', nullable: true })
  resolvedById: number | null;

  @Field({ description: 'Locked tickets are not reopened by requester replies.' })
  @Column({ type: 'boolean', default: false })
  locked: boolean;

  /** The SLA policy applied (see sla.service.ts) and its targets; null without a matching policy. */
  @Column({ type: 'int', nullable: true })
  slaPolicyId: number | null;

  @Column({ ...DATETIME, nullable: true })
  responseDueAt: Date | null;

  @Index()
  @Column({ ...DATETIME, nullable: true })
  resolutionDueAt: Date | null;

  /** First comment by someone other than the requester. */
  @Column({ ...DATETIME, nullable: true })
  firstResponseAt: Date | null;

  /** The due date was set by hand: SLA changes leave it alone. */
  @Column({ type: 'boolean', default: false })
  dueManual: boolean;

  /** Who wrote last (for read state: your own writes do not make a ticket unread for you). */
  @Column({ type: 'int', nullable: true })
  lastActorId: number | null;

  @Field(() => Date, { description: 'When the ticket was created.' })
  @Column({ ...DATETIME })
  createdAt: Date;

  @Field(() => Date, { description: 'Last write to the ticket or its history (edits, comments).' })
  @Column({ ...DATETIME })
  updatedAt: Date;

  @Field(() => Date, { nullable: true, description: 'When the ticket was last closed; cleared on reopen.' })
  @Column({ ...DATETIME, nullable: true })
  closedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'Set while the ticket is soft-deleted.' })
  @Column({ ...DATETIME, nullable: true })
  deletedAt: Date | null;

  /** Where the ticket came from when a job or an alert opened it (null: a person or a script). */
  @Column({ type: 'varchar', length: 16, nullable: true })
  originKind: TicketOriginKind | null;

  /** The job number, external job id or alert invocation id of the origin. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  originId: string | null;

  /** What the origin said about itself (event title, server, times ...), as given. */
  @Column({ type: 'simple-json', nullable: true })
  originData: Record<string, string | number | null> | null;

  @Field(() => TicketSource, { description: 'The channel the ticket came in through (derived from the credential or the origin, or given at creation).' })
  @Column({ type: 'varchar', length: 16, default: TicketSource.MANUAL })
  source: TicketSource;

  @Field(() => String, { nullable: true, description: "The creating system's own id for the ticket (ticketCreate input.externalId); unique per source." })
  @Column({ type: 'varchar', length: 100, nullable: true })
  @MariaDbExact()
  externalId: string | null;

  @Field(() => Int, { description: 'Increments on every write; pass it back as expectedVersion to detect concurrent edits.' })
  @Column({ type: 'int' })
  version: number;
}
