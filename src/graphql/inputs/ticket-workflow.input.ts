import { Field, ID, InputType, Int } from 'type-graphql';
import { CommentVisibility } from '../../entities/comment-visibility.enum';
import { EXPECTED_VERSION } from '../descriptions';

@InputType({ description: 'Options of ticketResolve.' })
export class TicketResolveInput {
  @Field({ description: 'What was done; Markdown.' }) resolution: string;
  @Field(() => Boolean, { nullable: true, description: 'Mail the resolution, and how to reopen (a reply), to the requester. Default: true (never when you are the requester).' }) notifyRequester?: boolean | null;
  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion?: number | null;
}

@InputType({ description: 'Options of ticketClose.' })
export class TicketCloseInput {
  @Field(() => String, { nullable: true, description: 'Added as a comment.' }) comment?: string | null;
  @Field(() => CommentVisibility, { nullable: true, description: 'Visibility of the closing comment; default INTERNAL, like every staff comment.' }) commentVisibility?: CommentVisibility | null;
  @Field(() => Boolean, { nullable: true, description: 'Mail the requester that the ticket was closed (with the resolution, if any). Default: false, as closing usually follows resolving, which mailed already.' }) notifyRequester?: boolean | null;
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

@InputType({ description: 'A ticket forwarded by mail.' })
export class TicketForwardInput {
  @Field(() => [String], { description: 'Addresses to send to (at least one, at most 20 with cc).' }) to: string[];
  @Field(() => [String], { nullable: true, description: 'Addresses to copy.' }) cc?: string[] | null;
  @Field(() => String, { nullable: true, description: 'A note to the recipients, above the ticket (plain text).' }) message?: string | null;
  @Field(() => [ID], { nullable: true, description: 'Files of this ticket to attach, together at most MAIL_FORWARD_MAX_BYTES (default 10 MiB).' }) fileIds?: string[] | null;
}
