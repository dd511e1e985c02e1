import { Field, ID, Float, InputType, Int } from 'type-graphql';
import { EXPECTED_VERSION } from '../descriptions';
import { GraphQLJSON, GraphQLJSONObject } from 'graphql-scalars';
import { JobTicketTrigger, ParamType, RunnerKind } from '../../entities/job.enums';

@InputType({ description: 'A parameter an event accepts.' })
export class EventParamInput {
  @Field({ description: 'Letters, digits and underscores; local commands get it as PARAM_<NAME>.' }) name: string;
  @Field(() => ParamType, { description: 'The type values must have.' }) type: ParamType;
  @Field(() => String, { nullable: true, description: 'Label for forms.' }) title?: string | null;
  @Field(() => Boolean, { nullable: true, defaultValue: false, description: 'A run must have a value (given or default).' }) required?: boolean | null;
  @Field(() => String, { nullable: true, description: 'Regular expression a string value must match entirely.' }) pattern?: string | null;
  @Field(() => Float, { nullable: true, description: 'Lowest number, or shortest string.' }) min?: number | null;
  @Field(() => Float, { nullable: true, description: 'Highest number, or longest string.' }) max?: number | null;
  @Field(() => GraphQLJSON, { nullable: true, description: 'Used when neither the ticket event nor the run gives a value.' }) default?: string | number | boolean | null;
}

@InputType({ description: 'A Create Ticket action of an event.' })
export class EventTicketActionInput {
  @Field(() => JobTicketTrigger, { description: 'When the ticket is opened: the job starting, succeeding or failing.' }) on: JobTicketTrigger;
  @Field(() => [String], { nullable: true, description: 'Only jobs carrying at least one of these tags; empty or left out: every job of the event.' }) tags?: string[] | null;
}

@InputType({ description: 'Fields of an event; on create key, title, runner and (by runner) command or url are required.' })
export class EventInput {
  @Field(() => String, { nullable: true, description: 'Stable key: 1-64 letters, digits, "-" or "_". Required on create.' }) key?: string | null;
  @Field(() => String, { nullable: true, description: 'Display name, 1-200 characters. Required on create.' }) title?: string | null;
  @Field(() => RunnerKind, { nullable: true, description: 'What executes the event.' }) runner?: RunnerKind | null;
  @Field(() => [String], { nullable: true, description: 'local: the program and its arguments, run without a shell.' }) command?: string[] | null;
  @Field(() => String, { nullable: true, description: 'http: where jobs are dispatched (POST, signed).' }) url?: string | null;
  @Field(() => String, { nullable: true, description: 'http: the signing secret (16-128 characters); generated on create when left out and shown once.' }) secret?: string | null;
  @Field(() => Int, { nullable: true, description: 'Seconds a local run may take before it is stopped and failed (1 to 604800).' }) timeoutSeconds?: number | null;
  @Field(() => [String], { nullable: true, description: 'Default servers or groups to run on.' }) targets?: string[] | null;
  @Field(() => String, { nullable: true, description: 'Default target selection algorithm (random, round_robin, first, ...).' }) algo?: string | null;
  @Field(() => [String], { nullable: true, description: 'Default tags passed to the runner.' }) tags?: string[] | null;
  @Field(() => [EventParamInput], { nullable: true, description: 'The parameters the event declares; replaces the list.' }) fields?: EventParamInput[] | null;
  @Field(() => String, { nullable: true, description: 'Category key for tickets created from its jobs; null removes it.' }) categoryKey?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'When a job of this event fails, open a ticket about it.' }) ticketOnFailure?: boolean | null;
  @Field(() => [EventTicketActionInput], { nullable: true, description: 'Create Ticket actions (at most 20): a ticket per job and moment (start, success, failure), for jobs with one of the tags; replaces the list, [] removes them.' })
  ticketActions?: EventTicketActionInput[] | null;
  @Field(() => Boolean, { nullable: true, description: 'Disabled events cannot be run.' }) enabled?: boolean | null;
}

@InputType({ description: "An event on a ticket; null overrides fall back to the event's own values." })
export class TicketEventInput {
  @Field(() => ID, { nullable: true, description: 'The ticket to attach the event to: its global id, its number ("42") or "#42". Required by ticketEventAdd; ticketEventUpdate refuses it (an attached event does not move).' })
  ticketId?: string | null;
  @Field(() => String, { nullable: true, description: 'The event (Event id); required when adding.' }) eventId?: string | null;
  @Field(() => [String], { nullable: true, description: "Overrides the event's targets." }) targets?: string[] | null;
  @Field(() => String, { nullable: true, description: "Overrides the event's algorithm." }) algo?: string | null;
  @Field(() => [String], { nullable: true, description: "Overrides the event's tags." }) tags?: string[] | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: "Parameter values, checked against the event's fields." }) params?: Record<string, unknown> | null;
  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion?: number | null;
}
