import { Field, ID, ObjectType } from 'type-graphql';
import { ApiKey } from '../../entities/api-key.entity';
import { Category } from '../../entities/category.entity';
import { SavedSearch } from '../../entities/saved-search.entity';
import { Tag } from '../../entities/tag.entity';
import { TicketChange } from '../../entities/ticket-change.entity';
import { TicketFile } from '../../entities/ticket-file.entity';
import { Ticket } from '../../entities/ticket.entity';
import { User } from '../../entities/user.entity';
import { EventDefinition } from '../../entities/event-definition.entity';
import { Job } from '../../entities/job.entity';
import { TicketEvent } from '../../entities/ticket-event.entity';
import { SlaPolicy } from '../../entities/sla-policy.entity';
import { UserGroup } from '../../entities/user-group.entity';
import { WebhookDelivery } from '../../entities/webhook-delivery.entity';
import { Webhook } from '../../entities/webhook.entity';
import { UserError } from './user-error.type';

const ECHO = 'The clientMutationId of the input, echoed back.';
const DELETED = 'Global id of the deleted object; null when nothing was deleted (see userErrors).';
const RESULT = 'The object after the change; null when userErrors is not empty.';

/** Every mutation payload lists userErrors; an empty list means the mutation was applied. */
@ObjectType()
abstract class Payload {
  @Field(() => [UserError], { description: 'Why the mutation was refused; empty when it was applied. Nothing is written when this is not empty.' })
  userErrors: UserError[];
}

@ObjectType({ description: 'Result of a mutation on a ticket.' })
export class TicketPayload extends Payload {
  @Field(() => String, { nullable: true, description: ECHO })
  clientMutationId?: string | null;

  @Field(() => Ticket, { nullable: true, description: RESULT })
  ticket: Ticket | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'ticketCreate only: true when input.externalId named a ticket an earlier create of the same source made, which is returned unchanged ' +
      '(nothing written, mailed or posted); false when the ticket was created. Null on other mutations and on refusals.',
  })
  existing?: boolean | null;
}

@ObjectType({ description: "Result of a mutation that writes one entry of a ticket's history (a comment)." })
export class ChangePayload extends Payload {
  @Field(() => String, { nullable: true, description: ECHO })
  clientMutationId?: string | null;

  @Field(() => TicketChange, { nullable: true, description: RESULT })
  change: TicketChange | null;
}

@ObjectType({ description: 'Result of commentDelete.' })
export class CommentDeletePayload extends Payload {
  @Field(() => ID, { nullable: true, description: 'Id of the removed comment.' })
  deletedId: string | null;

  @Field(() => TicketChange, { nullable: true, description: 'The COMMENT_DELETED audit entry (none on drafts).' })
  change: TicketChange | null;
}

@ObjectType({ description: 'Result of a mutation on a user.' })
export class UserPayload extends Payload {
  @Field(() => User, { nullable: true, description: RESULT })
  user: User | null;
}

@ObjectType({ description: 'Result of a mutation on a category.' })
export class CategoryPayload extends Payload {
  @Field(() => Category, { nullable: true, description: RESULT })
  category: Category | null;
}

@ObjectType({ description: 'Result of a mutation on a tag.' })
export class TagPayload extends Payload {
  @Field(() => Tag, { nullable: true, description: RESULT })
  tag: Tag | null;
}

@ObjectType({ description: 'Result of apiKeyCreate; the only response that shows the key.' })
export class ApiKeyCreatePayload extends Payload {
  @Field(() => ApiKey, { nullable: true, description: RESULT })
  apiKey: ApiKey | null;

  @Field(() => String, { nullable: true, description: 'The key itself. Shown only in this response; store it now.' })
  secret: string | null;
}

@ObjectType({ description: 'Result of a mutation on an API key.' })
export class ApiKeyPayload extends Payload {
  @Field(() => ApiKey, { nullable: true, description: RESULT })
  apiKey: ApiKey | null;
}

@ObjectType({ description: 'Result of a mutation on a saved search.' })
export class SavedSearchPayload extends Payload {
  @Field(() => SavedSearch, { nullable: true, description: RESULT })
  savedSearch: SavedSearch | null;
}

@ObjectType({ description: 'Result of ticketFilesUpload.' })
export class TicketFilesPayload extends Payload {
  @Field(() => String, { nullable: true, description: ECHO })
  clientMutationId?: string | null;

  @Field(() => [TicketFile], { description: 'The attached files; empty when userErrors is not.' })
  files: TicketFile[];

  @Field(() => Ticket, { nullable: true, description: 'The ticket after the change (new version).' })
  ticket: Ticket | null;
}

@ObjectType({ description: 'Result of ticketFileDelete.' })
export class TicketFileDeletePayload extends Payload {
  @Field(() => ID, { nullable: true, description: DELETED })
  deletedId: string | null;

  @Field(() => Ticket, { nullable: true, description: RESULT })
  ticket: Ticket | null;
}

@ObjectType({ description: 'Result of a mutation on an event definition.' })
export class EventPayload extends Payload {
  @Field(() => EventDefinition, { nullable: true, description: RESULT })
  event: EventDefinition | null;

  @Field(() => String, { nullable: true, description: 'The generated signing secret of an http event; shown only in this response.' })
  secret?: string | null;
}

/**
 * The one result of every delete that returns only the deleted id (tickets, saved searches,
 * categories, tags, groups, SLA policies, webhooks, events, ticket events): one type instead of a
 * copy per object type, so clients write one fragment. Deletes that return more (commentDelete,
 * ticketFileDelete) keep their own payload.
 */
@ObjectType({ description: 'Result of a delete mutation that returns only the id of what it removed.' })
export class DeletePayload extends Payload {
  @Field(() => ID, { nullable: true, description: DELETED })
  deletedId: string | null;
}

@ObjectType({ description: 'Result of a mutation on an event attached to a ticket.' })
export class TicketEventPayload extends Payload {
  @Field(() => TicketEvent, { nullable: true, description: RESULT })
  ticketEvent: TicketEvent | null;
}

@ObjectType({ description: 'Result of a mutation on a job.' })
export class JobPayload extends Payload {
  @Field(() => String, { nullable: true, description: ECHO })
  clientMutationId?: string | null;

  @Field(() => Job, { nullable: true, description: RESULT })
  job: Job | null;
}

@ObjectType({ description: 'Result of ticketReply.' })
export class TicketReplyPayload extends Payload {
  @Field(() => TicketChange, { nullable: true, description: RESULT }) change: TicketChange | null;
  @Field(() => Ticket, { nullable: true, description: 'The ticket after the reply (reopened unless locked).' }) ticket: Ticket | null;
  @Field(() => [TicketFile], { description: 'The files sent with the reply (also on change.files).' }) files: TicketFile[];
}

@ObjectType({ description: 'Result of ticketForward.' })
export class TicketForwardPayload extends Payload {
  @Field(() => TicketChange, { nullable: true, description: 'The FORWARDED history entry: who (author), to whom (newValue), when (createdAt).' }) change: TicketChange | null;
  @Field(() => Ticket, { nullable: true, description: 'The ticket afterwards.' }) ticket: Ticket | null;
}

@ObjectType({ description: 'Result of a mutation on a group.' })
export class GroupPayload extends Payload {
  @Field(() => UserGroup, { nullable: true, description: RESULT }) group: UserGroup | null;
}

@ObjectType({ description: 'Result of a mutation on an SLA policy.' })
export class SlaPolicyPayload extends Payload {
  @Field(() => SlaPolicy, { nullable: true, description: RESULT }) policy: SlaPolicy | null;
}

@ObjectType({ description: 'Result of a mutation on a webhook.' })
export class WebhookPayload extends Payload {
  @Field(() => Webhook, { nullable: true, description: RESULT }) webhook: Webhook | null;
  @Field(() => String, { nullable: true, description: 'The signing secret; shown only when the webhook is created.' }) secret?: string | null;
}

@ObjectType({ description: 'Result of webhookDeliveryReplay.' })
export class WebhookDeliveryPayload extends Payload {
  @Field(() => WebhookDelivery, { nullable: true, description: RESULT }) delivery: WebhookDelivery | null;
}
