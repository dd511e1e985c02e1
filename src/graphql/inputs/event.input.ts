import { Field, Float, InputType, Int } from 'type-graphql';
import { GraphQLJSON, GraphQLJSONObject } from 'graphql-scalars';
import { ParamType, RunnerKind } from '../../entities/job.enums';

@InputType({ description: 'A parameter an event accepts.' })
export class EventParamInput {
  @Field({ description: 'Letters, digits and underscores; local commands get it as PARAM_<NAME>.' }) name: string;
  @Field(() => ParamType) type: ParamType;
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => Boolean, { nullable: true, defaultValue: false }) required?: boolean | null;
  @Field(() => String, { nullable: true, description: 'Regular expression a string value must match entirely.' }) pattern?: string | null;
  @Field(() => Float, { nullable: true, description: 'Lowest number, or shortest string.' }) min?: number | null;
  @Field(() => Float, { nullable: true, description: 'Highest number, or longest string.' }) max?: number | null;
  @Field(() => GraphQLJSON, { nullable: true }) default?: string | number | boolean | null;
}

@InputType({ description: 'Fields of an event; on create key, title, runner and (by runner) command or url are required.' })
export class EventInput {
  @Field(() => String, { nullable: true }) key?: string | null;
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => RunnerKind, { nullable: true }) runner?: RunnerKind | null;
  @Field(() => [String], { nullable: true, description: 'local: the program and its arguments, run without a shell.' }) command?: string[] | null;
  @Field(() => String, { nullable: true, description: 'http: where jobs are dispatched (POST, signed).' }) url?: string | null;
  @Field(() => String, { nullable: true, description: 'http: the signing secret (16-128 characters); generated on create when left out and shown once.' }) secret?: string | null;
  @Field(() => Int, { nullable: true }) timeoutSeconds?: number | null;
  @Field(() => [String], { nullable: true }) targets?: string[] | null;
  @Field(() => String, { nullable: true }) algo?: string | null;
  @Field(() => [String], { nullable: true }) tags?: string[] | null;
  @Field(() => [EventParamInput], { nullable: true }) fields?: EventParamInput[] | null;
  @Field(() => String, { nullable: true }) categoryKey?: string | null;
  @Field(() => Boolean, { nullable: true }) ticketOnFailure?: boolean | null;
  @Field(() => Boolean, { nullable: true }) enabled?: boolean | null;
}

@InputType({ description: "An event on a ticket; null overrides fall back to the event's own values." })
export class TicketEventInput {
  @Field(() => String, { nullable: true, description: 'The event (Event id); required when adding.' }) eventId?: string | null;
  @Field(() => [String], { nullable: true }) targets?: string[] | null;
  @Field(() => String, { nullable: true }) algo?: string | null;
  @Field(() => [String], { nullable: true }) tags?: string[] | null;
  @Field(() => GraphQLJSONObject, { nullable: true, description: "Parameter values, checked against the event's fields." }) params?: Record<string, unknown> | null;
  @Field(() => Int, { nullable: true, description: "The ticket's version you last saw: CONFLICT (nothing written) if it has changed since." }) expectedVersion?: number | null;
}
