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

/** Every mutation payload lists userErrors; an empty list means the mutation was applied. */
@ObjectType()
abstract class Payload {
  @Field(() => [UserError])
  userErrors: UserError[];
}

@ObjectType()
export class TicketPayload extends Payload {
  @Field(() => String, { nullable: true, description: ECHO })
  clientMutationId?: string | null;

  @Field(() => Ticket, { nullable: true })
  ticket: Ticket | null;
}

@ObjectType()
export class TicketDeletePayload extends Payload {
  @Field(() => ID, { nullable: true })
  deletedId: string | null;
}

@ObjectType()
export class ChangePayload extends Payload {
  @Field(() => String, { nullable: true, description: ECHO })
  clientMutationId?: string | null;

  @Field(() => TicketChange, { nullable: true })
  change: TicketChange | null;
}

@ObjectType()
export class CommentDeletePayload extends Payload {
  @Field(() => ID, { nullable: true, description: 'Id of the removed comment.' })
  deletedId: string | null;

  @Field(() => TicketChange, { nullable: true, description: 'The COMMENT_DELETED audit entry (none on drafts).' })
  change: TicketChange | null;
}

@ObjectType()
export class UserPayload extends Payload {
  @Field(() => User, { nullable: true })
  user: User | null;
}

@ObjectType()
export class CategoryPayload extends Payload {
  @Field(() => Category, { nullable: true })
  category: Category | null;
}

@ObjectType()
export class TagPayload extends Payload {
  @Field(() => Tag, { nullable: true })
  tag: Tag | null;
}

@ObjectType()
export class ApiKeyCreatePayload extends Payload {
  @Field(() => ApiKey, { nullable: true })
  apiKey: ApiKey | null;

  @Field(() => String, { nullable: true, description: 'The key itself. Shown only in this response; store it now.' })
  secret: string | null;
}

@ObjectType()
export class ApiKeyPayload extends Payload {
  @Field(() => ApiKey, { nullable: true })
  apiKey: ApiKey | null;
}

@ObjectType()
export class SavedSearchPayload extends Payload {
  @Field(() => SavedSearch, { nullable: true })
  savedSearch: SavedSearch | null;
}

@ObjectType()
export class SavedSearchDeletePayload extends Payload {
  @Field(() => ID, { nullable: true })
  deletedId: string | null;
}

@ObjectType()
export class TicketFilesPayload extends Payload {
  @Field(() => String, { nullable: true, description: ECHO })
  clientMutationId?: string | null;

  @Field(() => [TicketFile], { description: 'The attached files; empty when userErrors is not.' })
  files: TicketFile[];

  @Field(() => Ticket, { nullable: true, description: 'The ticket after the change (new version).' })
  ticket: Ticket | null;
}

@ObjectType()
export class TicketFileDeletePayload extends Payload {
  @Field(() => ID, { nullable: true })
  deletedId: string | null;

  @Field(() => Ticket, { nullable: true })
  ticket: Ticket | null;
}

@ObjectType()
export class EventPayload extends Payload {
  @Field(() => EventDefinition, { nullable: true })
  event: EventDefinition | null;

  @Field(() => String, { nullable: true, description: 'The generated signing secret of an http event; shown only in this response.' })
  secret?: string | null;
}

@ObjectType()
export class DeletePayload extends Payload {
  @Field(() => ID, { nullable: true })
  deletedId: string | null;
}

@ObjectType()
export class TicketEventPayload extends Payload {
  @Field(() => TicketEvent, { nullable: true })
  ticketEvent: TicketEvent | null;
}

@ObjectType()
export class JobPayload extends Payload {
  @Field(() => String, { nullable: true, description: ECHO })
  clientMutationId?: string | null;

  @Field(() => Job, { nullable: true })
  job: Job | null;
}

@ObjectType()
export class TicketReplyPayload extends Payload {
  @Field(() => TicketChange, { nullable: true }) change: TicketChange | null;
  @Field(() => Ticket, { nullable: true, description: 'The ticket after the reply (reopened unless locked).' }) ticket: Ticket | null;
}

@ObjectType()
export class GroupPayload extends Payload {
  @Field(() => UserGroup, { nullable: true }) group: UserGroup | null;
}

@ObjectType()
export class LabelDeletePayload extends Payload {
  @Field(() => ID, { nullable: true }) deletedId: string | null;
}

@ObjectType()
export class SlaPolicyPayload extends Payload {
  @Field(() => SlaPolicy, { nullable: true }) policy: SlaPolicy | null;
}

@ObjectType()
export class SlaPolicyDeletePayload extends Payload {
  @Field(() => ID, { nullable: true }) deletedId: string | null;
}

@ObjectType()
export class WebhookPayload extends Payload {
  @Field(() => Webhook, { nullable: true }) webhook: Webhook | null;
  @Field(() => String, { nullable: true, description: 'The signing secret; shown only when the webhook is created.' }) secret?: string | null;
}

@ObjectType()
export class WebhookDeletePayload extends Payload {
  @Field(() => ID, { nullable: true }) deletedId: string | null;
}

@ObjectType()
export class WebhookDeliveryPayload extends Payload {
  @Field(() => WebhookDelivery, { nullable: true }) delivery: WebhookDelivery | null;
}
