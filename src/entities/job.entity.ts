import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Node } from '../graphql/types/node.type';
import { DATETIME, MariaDbType } from '../db/column-types';
import { EventDefinition } from './event-definition.entity';
import { JobStatus, RunnerKind } from './job.enums';
import { TicketEvent } from './ticket-event.entity';
import { Ticket } from './ticket.entity';

/**
 * One run of an event launched from a ticket. Targets, algorithm, tags and parameters are the
 * effective ones, fixed at launch; the runner reports status, code, log and output files back.
 */
@ObjectType({ implements: Node, description: 'A run of an event, launched from a ticket.' })
@Directive('@key(fields: "id")')
@Entity('job')
@Index('IDX_job_ticket', ['ticketId', 'id'])
@Index('IDX_job_status_instance', ['status', 'runnerInstance'])
export class Job {
  @PrimaryGeneratedColumn()
  id: number;

  @Field(() => Int, { description: 'The job number people use ("Job #12").' })
  get number(): number {
    return this.id;
  }

  @Column({ type: 'int' })
  ticketId: number;

  @ManyToOne(() => Ticket, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ticket_id', foreignKeyConstraintName: 'FK_job_ticket' })
  ticket?: Ticket;

  /** The stub it was launched from; null once that stub is removed. */
  @Column({ type: 'int', nullable: true })
  ticketEventId: number | null;

  @ManyToOne(() => TicketEvent, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'ticket_event_id', foreignKeyConstraintName: 'FK_job_ticket_event' })
  ticketEvent?: TicketEvent;

  /** The job that launched this one (jobLaunch); it shares the parent's ticket. */
  @Column({ type: 'int', nullable: true })
  parentJobId: number | null;

  @ManyToOne(() => Job, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'parent_job_id', foreignKeyConstraintName: 'FK_job_parent' })
  parentJob?: Job;

  @Column({ type: 'int' })
  eventId: number;

  @ManyToOne(() => EventDefinition, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'event_id', foreignKeyConstraintName: 'FK_job_event' })
  event?: EventDefinition;

  @Field(() => RunnerKind, { description: 'What executes it.' })
  @Column({ type: 'varchar', length: 16 })
  runner: RunnerKind;

  @Field(() => JobStatus, { description: 'Where the job is in its run.' })
  @Column({ type: 'varchar', length: 16 })
  status: JobStatus;

  @Field(() => [String], { description: 'Servers or groups it runs on.' })
  @Column({ type: 'simple-json' })
  targets: string[];

  @Field({ description: 'Target selection algorithm (random, round_robin, first, ...).' })
  @Column({ type: 'varchar', length: 32 })
  algo: string;

  @Field(() => [String], { description: 'Tags passed to the runner.' })
  @Column({ type: 'simple-json' })
  tags: string[];

  @Field(() => GraphQLJSONObject, { description: 'Effective parameters: run input over ticket event over event defaults.' })
  @Column({ type: 'simple-json' })
  params: Record<string, string | number | boolean>;

  @Field(() => Int, { nullable: true, description: 'Exit code (local) or reported result code; 0 is success.' })
  @Column({ type: 'int', nullable: true })
  code: number | null;

  @Field(() => String, { nullable: true, description: 'Why it failed or was cancelled, or a progress note.' })
  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Field(() => String, { nullable: true, description: 'Where it ran.' })
  @Column({ type: 'varchar', length: 255, nullable: true })
  server: string | null;

  /** Captured output (bounded by JOB_LOG_MAX_BYTES, up to 16 MB); the API shows an excerpt. */
  @Column({ type: 'text', nullable: true })
  @MariaDbType('mediumtext')
  log: string | null;

  /** The process that runs a local job: a restarted process fails what it left running. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  runnerInstance: string | null;

  /** The process group of a local job while it runs (its leader's pid): what a restart stops. */
  @Column({ type: 'int', nullable: true })
  processGroup: number | null;

  @Column({ type: 'int', nullable: true })
  launchedById: number | null;

  @Field(() => Date, { description: 'When it was queued.' })
  @Column({ ...DATETIME })
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'When it started running; null while queued.' })
  @Column({ ...DATETIME, nullable: true })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it reached a final status; null before.' })
  @Column({ ...DATETIME, nullable: true })
  completedAt: Date | null;
}
