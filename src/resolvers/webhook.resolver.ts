import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { WebhookDelivery } from '../entities/webhook-delivery.entity';
import { Webhook } from '../entities/webhook.entity';
import type { RequestContext } from '../graphql/context';
import { toGlobalId } from '../graphql/global-id';
import { IdArg } from '../graphql/id-args';
import { WebhookCreateInput, WebhookInput } from '../graphql/inputs/webhook.input';
import { payload } from '../graphql/payload';
import { PayloadMutation } from '../graphql/payload-mutation.decorator';
import { DeletePayload, WebhookDeliveryPayload, WebhookPayload } from '../graphql/types/payloads';
import { WebhookService } from '../services/webhook.service';
import { GLOBAL_ID, SERVER_ADMIN_ONLY } from '../graphql/descriptions';
import { SERVER_ADMIN } from '../graphql/auth-checker';

const created = (value: { webhook: Webhook; secret: string } | null) => ({ webhook: value?.webhook ?? null, secret: value?.secret ?? null });
const webhookPayload = (webhook: Webhook | null) => ({ webhook });
const deletedWebhook = (webhook: Webhook | null) => ({ deletedId: webhook && toGlobalId('Webhook', webhook.id) });
const deliveryPayload = (delivery: WebhookDelivery | null) => ({ delivery });

/** Admin-only management of webhooks and their delivery log. */
@Resolver(() => Webhook)
export class WebhookResolver {
  constructor(private readonly webhookService: WebhookService) {}

  @Authorized(SERVER_ADMIN)
  @Query(() => [Webhook], { nullable: true, description: `${SERVER_ADMIN_ONLY}; null with a FORBIDDEN error for others.` })
  webhooks(@Ctx() ctx: RequestContext): Promise<Webhook[]> {
    return this.webhookService.list(ctx);
  }

  @Authorized(SERVER_ADMIN)
  @PayloadMutation(() => WebhookPayload, { description: `${SERVER_ADMIN_ONLY}.` })
  async webhookCreate(@Ctx() ctx: RequestContext, @Arg('input', { description: 'Fields of the new webhook.' }) input: WebhookCreateInput): Promise<WebhookPayload> {
    return payload(await this.webhookService.create(ctx, input), created);
  }

  @Authorized(SERVER_ADMIN)
  @PayloadMutation(() => WebhookPayload, { description: `${SERVER_ADMIN_ONLY}.` })
  async webhookUpdate(@Ctx() ctx: RequestContext, @IdArg('id', 'Webhook') id: number | null, @Arg('input', { description: 'Fields to change; omitted fields keep their value.' }) input: WebhookInput): Promise<WebhookPayload> {
    return payload(await this.webhookService.update(ctx, id, input), webhookPayload);
  }

  @Authorized(SERVER_ADMIN)
  @PayloadMutation(() => DeletePayload, { description: `${SERVER_ADMIN_ONLY}.` })
  async webhookDelete(@Ctx() ctx: RequestContext, @IdArg('id', 'Webhook') id: number | null): Promise<DeletePayload> {
    return payload(await this.webhookService.delete(ctx, id), deletedWebhook);
  }

  @Authorized(SERVER_ADMIN)
  @PayloadMutation(() => WebhookDeliveryPayload, { description: `${SERVER_ADMIN_ONLY}. Sends the same event again as a new delivery.` })
  async webhookDeliveryReplay(@Ctx() ctx: RequestContext, @IdArg('id', 'WebhookDelivery') id: number | null): Promise<WebhookDeliveryPayload> {
    return payload(await this.webhookService.replay(ctx, id), deliveryPayload);
  }

  @FieldResolver(() => ID, { description: GLOBAL_ID })
  id(@Root() hook: Webhook): string {
    return toGlobalId('Webhook', hook.id);
  }

  @FieldResolver(() => [WebhookDelivery], { description: 'The delivery log, newest first.' })
  deliveries(@Ctx() ctx: RequestContext, @Root() hook: Webhook, @Arg('last', () => Int, { defaultValue: 20, description: 'How many of the most recent deliveries to return.' }) last: number): Promise<WebhookDelivery[]> {
    return this.webhookService.deliveries(ctx, hook, last);
  }
}

@Resolver(() => WebhookDelivery)
export class WebhookDeliveryResolver {
  @FieldResolver(() => ID, { description: GLOBAL_ID })
  id(@Root() d: WebhookDelivery): string {
    return toGlobalId('WebhookDelivery', d.id);
  }
}
