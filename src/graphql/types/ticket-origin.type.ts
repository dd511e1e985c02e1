import { Field, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { TicketOriginKind } from '../../entities/job.enums';

@ObjectType({ description: 'Where a ticket came from, when a job or an alert opened it.' })
export class TicketOrigin {
  @Field(() => TicketOriginKind) kind: TicketOriginKind;
  @Field({ description: 'The job number, external job id or alert invocation id.' }) id: string;
  @Field(() => GraphQLJSONObject, { description: 'What the origin said about itself (event, server, times ...).' }) details: Record<string, unknown>;
}
