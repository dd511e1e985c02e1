import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Node } from '../graphql/types/node.type';
import { DATETIME } from '../db/column-types';
import { EventDefinition } from './event-definition.entity';
import { Ticket } from './ticket.entity';

/**
 * An event stub on a ticket: which event to run, with optional overrides (null: the event's own).
 * Parameters were valid against the event's fields when saved.
 */
@ObjectType('TicketEvent', { implements: Node, description: 'A runnable event on a ticket, with its overrides.' })
@Entity('ticket_event')
@Index('IDX_ticket_event_ticket', ['ticketId', 'id'])
export class TicketEvent {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  ticketId: number;

  @ManyToOne(() => Ticket, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ticket_id', foreignKeyConstraintName: 'FK_ticket_event_ticket' })
  ticket?: Ticket;

  @Column({ type: 'int' })
  eventId: number;

  @ManyToOne(() => EventDefinition, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id', foreignKeyConstraintName: 'FK_ticket_event_event' })
  event?: EventDefinition;

  @Field(() => [String], { nullable: true, description: "Overrides the event's targets." })
  @Column({ type: 'simple-json', nullable: true })
  targets: string[] | null;

  @Field(() => String, { nullable: true, description: "Overrides the event's algorithm." })
  @Column({ type: 'varchar', length: 32, nullable: true })
  algo: string | null;

  @Field(() => [String], { nullable: true, description: "Overrides the event's tags." })
  @Column({ type: 'simple-json', nullable: true })
  tags: string[] | null;

  @Field(() => GraphQLJSONObject, { description: 'Parameter values (override the defaults).' })
  @Column({ type: 'simple-json' })
  params: Record<string, string | number | boolean>;

  @Column({ type: 'int', nullable: true })
  createdById: number | null;

  @Field(() => Date, { description: 'When it was attached to the ticket.' })
  @Column({ ...DATETIME })
  createdAt: Date;

  @Field(() => Date, { description: 'When its settings last changed.' })
  @Column({ ...DATETIME })
  updatedAt: Date;
}
