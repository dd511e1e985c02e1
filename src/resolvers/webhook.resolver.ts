import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { WebhookDelivery } from '../entities/webhook-delivery.entity';
import { WebhookEvent } from '../entities/webhook-event.enum';
import { Webhook } from '../entities/webhook.entity';
import type { RequestContext } from '../graphql/context';
import { toGlobalId } from '../graphql/global-id';
import { UserError } from '../graphql/types/user-error.type';

@InputType()
class WebhookInput {
  @Field(() => String, { nullable: true, description: 'Required on create; http(s).' }) url?: string | null;
  @Field(() => [WebhookEvent], { nullable: true, description: 'Required on create.' }) events?: WebhookEvent[] | null;
  @Field(() => String, { nullable: true, description: 'Only tickets matching this query (e.g. "tags:prod"); null: all.' }) query?: string | null;
  @Field(() => Boolean, { nullable: true }) active?: boolean | null;
}

@InputType()
class WebhookCreateInput extends WebhookInput {
  @Field(() => String, { nullable: true, description: 'Signing secret (16-128 characters); generated when left out.' }) secret?: string | null;
}

@ObjectType()
class WebhookPayload {
  @Field(() => Webhook, { nullable: true }) webhook: Webhook | null;
  @Field(() => String, { nullable: true, description: 'The signing secret; shown only when the webhook is created.' }) secret?: string | null;
  @Field(() => [UserError]) userErrors: UserError[];
}

@ObjectType()
class WebhookDeletePayload {
  @Field(() => ID, { nullable: true }) deletedId: string | null;
  @Field(() => [UserError]) userErrors: UserError[];
}

@ObjectType()
class WebhookDeliveryPayload {
  @Field(() => WebhookDelivery, { nullable: true }) delivery: WebhookDelivery | null;
  @Field(() => [UserError]) userErrors: UserError[];
}

/** Admin-only management of webhooks and their delivery log. */
@Resolver(() => Webhook)
export class WebhookResolver {
  @Query(() => [Webhook], { description: 'Admin only.' })
  webhooks(@Ctx() ctx: RequestContext): Promise<Webhook[]> {
    return ctx.services.webhooks.list(ctx);
  }

  @Mutation(() => WebhookPayload, { description: 'Admin only.' })
  webhookCreate(@Ctx() ctx: RequestContext, @Arg('input') input: WebhookCreateInput): Promise<WebhookPayload> {
    return ctx.services.webhooks.create(ctx, input);
  }

  @Mutation(() => WebhookPayload, { description: 'Admin only.' })
  webhookUpdate(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: WebhookInput): Promise<WebhookPayload> {
    return ctx.services.webhooks.update(ctx, id, input);
  }

  @Mutation(() => WebhookDeletePayload, { description: 'Admin only.' })
  webhookDelete(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<WebhookDeletePayload> {
    return ctx.services.webhooks.delete(ctx, id);
  }

  @Mutation(() => WebhookDeliveryPayload, { description: 'Admin only. Sends the same event again as a new delivery.' })
  webhookDeliveryReplay(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<WebhookDeliveryPayload> {
    return ctx.services.webhooks.replay(ctx, id);
  }

  @FieldResolver(() => ID)
  id(@Root() hook: Webhook): string {
    return toGlobalId('Webhook', hook.id);
  }

  @FieldResolver(() => [WebhookDelivery], { description: 'The delivery log, newest first.' })
  deliveries(@Ctx() ctx: RequestContext, @Root() hook: Webhook, @Arg('last', () => Int, { defaultValue: 20 }) last: number): Promise<WebhookDelivery[]> {
    return ctx.services.webhooks.deliveries(ctx, hook, last);
  }
}

@Resolver(() => WebhookDelivery)
export class WebhookDeliveryResolver {
  @FieldResolver(() => ID)
  id(@Root() d: WebhookDelivery): string {
    return toGlobalId('WebhookDelivery', d.id);
  }
}
