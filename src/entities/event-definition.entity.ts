import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Field, Int, ObjectType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { Node } from '../graphql/types/node.type';
import { DATETIME } from '../db/column-types';
import { JobTicketTrigger, ParamType, RunnerKind } from './job.enums';

/** A parameter an event declares; ticket events and runs are checked against these. */
@ObjectType('EventParam', { description: 'A parameter an event accepts.' })
export class EventParam {
  @Field({ description: 'Letters, digits and underscores; passed to local commands as PARAM_<NAME>.' }) name: string;
  @Field(() => ParamType, { description: 'The type values must have.' }) type: ParamType;
  @Field(() => String, { nullable: true, description: 'Label for forms.' }) title?: string | null;
  @Field({ description: 'A run must have a value (given or default).' }) required: boolean;
  @Field(() => String, { nullable: true, description: 'A regular expression string values must match (whole value).' }) pattern?: string | null;
  @Field(() => Number, { nullable: true, description: 'Lowest number (numbers) or shortest length (strings).' }) min?: number | null;
  @Field(() => Number, { nullable: true, description: 'Highest number (numbers) or longest length (strings).' }) max?: number | null;
  @Field(() => GraphQLJSON, { nullable: true, description: 'Used when neither the ticket event nor the run gives a value.' }) default?: string | number | boolean | null;
}

/** A Create Ticket action of an event: which job moment opens a ticket, for which of its jobs. */
@ObjectType('EventTicketAction', { description: "A Create Ticket action: a ticket about a job of the event, opened when the job reaches the action's moment." })
export class EventTicketAction {
  @Field(() => JobTicketTrigger, { description: 'When the ticket is opened: the job starting, succeeding or failing.' }) on: JobTicketTrigger;
  @Field(() => [String], { description: 'Only jobs carrying at least one of these tags (the job\'s own tags, as run); empty: every job of the event.' }) tags: string[];
}

/**
 * A runnable ops event the gateway knows (deploy, test, rollback ...): what runs it and how.
 * Managed by admins, or loaded from EVENTS_FILE at start.
 */
@ObjectType('Event', { implements: Node, description: 'A runnable ops event: what runs it, its default targets and its parameters.' })
@Entity('event_definition')
@Unique('UQ_event_definition_key', ['key'])
export class EventDefinition {
  @PrimaryGeneratedColumn()
  id: number;

  @Field({ description: 'Stable key (letters, digits, "-", "_"), unique.' })
  @Column({ type: 'varchar', length: 64 })
  key: string;

  @Field({ description: 'Display name.' })
  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Field(() => RunnerKind, { description: 'What executes the event.' })
  @Column({ type: 'varchar', length: 16 })
  runner: RunnerKind;

  /** local: the program and its arguments, never run through a shell. Admin-only knowledge. */
  @Column({ type: 'simple-json', nullable: true })
  command: string[] | null;

  /** http: where the job is dispatched. */
  @Column({ type: 'varchar', length: 2000, nullable: true })
  url: string | null;

  /** http: HMAC-SHA256 key for dispatches and callbacks; never returned by the API. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  secret: string | null;

  @Field(() => Int, { description: 'Seconds a local run may take before it is stopped and failed.' })
  @Column({ type: 'int' })
  timeoutSeconds: number;

  @Field(() => [String], { description: 'Default servers or groups to run on.' })
  @Column({ type: 'simple-json' })
  targets: string[];

  @Field({ description: 'Default target selection algorithm (random, round_robin, first, ...).' })
  @Column({ type: 'varchar', length: 32 })
  algo: string;

  @Field(() => [String], { description: 'Default tags passed to the runner.' })
  @Column({ type: 'simple-json' })
  tags: string[];

  @Field(() => [EventParam], { description: 'The parameters the event declares; runs are checked against them.' })
  @Column({ type: 'simple-json' })
  fields: EventParam[];

  /** Category key given to tickets created from this event's jobs. */
  @Field(() => String, { nullable: true, description: 'Category key for tickets created from its jobs.' })
  @Column({ type: 'varchar', length: 64, nullable: true })
  categoryKey: string | null;

  @Field({ description: 'When a job of this event fails, open a ticket about it.' })
  @Column({ type: 'boolean', default: false })
  ticketOnFailure: boolean;

  /** Create Ticket actions (null: none, as for events defined before actions existed); GraphQL gives [] then. */
  @Column({ type: 'simple-json', nullable: true })
  ticketActions: EventTicketAction[] | null;

  @Field({ description: 'Disabled events cannot be run; disable an event instead of deleting it once it has jobs.' })
  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Field(() => Date, { description: 'When the event was defined.' })
  @Column({ ...DATETIME })
  createdAt: Date;

  @Field(() => Date, { description: 'When the definition last changed.' })
  @Column({ ...DATETIME })
  updatedAt: Date;
}
