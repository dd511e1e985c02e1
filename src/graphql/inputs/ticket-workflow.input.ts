import { Field, InputType, Int } from 'type-graphql';

@InputType()
export class TicketResolveInput {
  @Field({ description: 'What was done; Markdown.' }) resolution: string;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
}

@InputType()
export class TicketCloseInput {
  @Field(() => String, { nullable: true, description: 'Added as a comment.' }) comment?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Mail the requester that the ticket was closed.' }) notifyRequester?: boolean | null;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
}

@InputType()
export class TicketReopenInput {
  @Field({ description: 'Why; added as a comment.' }) reason: string;
  @Field(() => Int, { nullable: true }) expectedVersion?: number | null;
}

@InputType()
export class TicketReplyInput {
  @Field({ description: 'Markdown.' }) body: string;
  @Field(() => Int, { nullable: true, description: "The ticket's version you last saw: CONFLICT (nothing written) if it has changed since." }) expectedVersion?: number | null;
}
