import { Field, InputType, Int } from 'type-graphql';
import { EXPECTED_VERSION } from '../descriptions';

@InputType({ description: 'Options of ticketResolve.' })
export class TicketResolveInput {
  @Field({ description: 'What was done; Markdown.' }) resolution: string;
  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion?: number | null;
}

@InputType({ description: 'Options of ticketClose.' })
export class TicketCloseInput {
  @Field(() => String, { nullable: true, description: 'Added as a comment.' }) comment?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Mail the requester that the ticket was closed.' }) notifyRequester?: boolean | null;
  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion?: number | null;
}

@InputType({ description: 'Options of ticketReopen.' })
export class TicketReopenInput {
  @Field({ description: 'Why; added as a comment.' }) reason: string;
  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion?: number | null;
}

@InputType({ description: 'A reply to a ticket.' })
export class TicketReplyInput {
  @Field({ description: 'Markdown.' }) body: string;
  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion?: number | null;
}
