import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../graphql/context';
import { fromGlobalId } from '../graphql/global-id';
import { Node } from '../graphql/types/node.type';
import { requireViewer } from '../services/access';

@Resolver()
export class NodeResolver {
  @Query(() => Node, { nullable: true, description: 'Any object by its global id; null when absent or not visible.' })
  async node(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<Node | null> {
    requireViewer(ctx);
    const { services: s } = ctx;
    const parsed = fromGlobalId(id);
    if (!parsed) return (await s.savedSearches.findVisible(ctx, id)) as Node | null; // built-in views

    const finders = {
      Ticket: () => s.tickets.findVisibleById(ctx, parsed.id),
      Change: () => s.changes.findVisible(ctx, parsed.id),
      User: () => s.users.findVisible(ctx, parsed.id),
      Category: () => s.labels.findCategory(ctx, parsed.id),
      Tag: () => s.labels.findTag(ctx, parsed.id),
      ApiKey: () => s.apiKeys.findVisible(ctx, parsed.id),
      SavedSearch: () => s.savedSearches.findVisible(ctx, id),
      TicketFile: () => s.files.findVisible(ctx, parsed.id),
      SlaPolicy: () => s.sla.findVisible(ctx, parsed.id),
      Group: () => s.labels.findGroup(ctx, parsed.id),
      Webhook: () => s.webhooks.findVisible(ctx, 'Webhook', parsed.id),
      WebhookDelivery: () => s.webhooks.findVisible(ctx, 'WebhookDelivery', parsed.id),
      Event: () => s.events.findVisible(ctx, parsed.id),
      TicketEvent: () => s.events.findTicketEvent(ctx, parsed.id),
      Job: () => s.jobs.findVisible(ctx, parsed.id),
    };
    return (await finders[parsed.type]()) as Node | null;
  }
}
