import { Field, InputType } from 'type-graphql';
import { WebhookEvent } from '../../entities/webhook-event.enum';

@InputType({ description: 'A webhook; on update, omitted fields stay as they are.' })
export class WebhookInput {
  @Field(() => String, { nullable: true, description: 'Required on create; http(s).' }) url?: string | null;
  @Field(() => [WebhookEvent], { nullable: true, description: 'Required on create.' }) events?: WebhookEvent[] | null;
  @Field(() => String, { nullable: true, description: 'Only tickets matching this query (e.g. "tags:prod"); null: all.' }) query?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Inactive webhooks receive nothing; default on create: true.' }) active?: boolean | null;
  @Field(() => Boolean, { nullable: true, description: 'Requester-facing (e.g. a customer portal): receives no internal notes. Default on create: false (staff webhook: internal notes included, marked visibility INTERNAL).' })
  requesterFacing?: boolean | null;
}

@InputType({ description: 'A new webhook.' })
export class WebhookCreateInput extends WebhookInput {
  @Field(() => String, { nullable: true, description: 'Signing secret (16-128 characters); generated when left out.' }) secret?: string | null;
}
