import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { requireViewer } from '../services/access';
import type { RequestContext } from '../graphql/context';
import { fromGlobalId, type NodeTypeName } from '../graphql/global-id';
import { parseSavedSearchRef } from '../graphql/id-args';
import { Node } from '../graphql/types/node.type';
import { ticketOrigin } from '../graphql/types/ticket-origin.type';
import { ApiKeyService } from '../services/api-key.service';
import { ChangeService } from '../services/change.service';
import { CustomFieldService } from '../services/custom-field.service';
import { EventService } from '../services/event.service';
import { FileService } from '../services/file.service';
import { JobService } from '../services/job.service';
import { LabelService } from '../services/label.service';
import { SavedSearchService } from '../services/saved-search.service';
import { SlaService } from '../services/sla.service';
import { TicketEventService } from '../services/ticket-event.service';
import { TicketFinder } from '../services/ticket-finder';
import { UserService } from '../services/user.service';
import { WebhookService } from '../services/webhook.service';

type Finder = (ctx: RequestContext, id: number) => Promise<unknown>;

@Resolver()
export class NodeResolver {
  /** Per node type, the service read that applies the type's visibility rules. */
  private readonly finders: Record<Exclude<NodeTypeName, 'SavedSearch'>, Finder>;

  constructor(
    private readonly tickets: TicketFinder,
    changes: ChangeService,
    users: UserService,
    labels: LabelService,
    apiKeys: ApiKeyService,
    private readonly savedSearches: SavedSearchService,
    files: FileService,
    sla: SlaService,
    webhooks: WebhookService,
    events: EventService,
    ticketEvents: TicketEventService,
    jobs: JobService,
    customFields: CustomFieldService,
  ) {
    this.finders = {
      Ticket: (ctx, id) => tickets.byId(ctx, id),
      Change: (ctx, id) => changes.findVisible(ctx, id),
      User: (ctx, id) => users.findVisible(ctx, id),
      Category: (ctx, id) => labels.findCategory(ctx, id),
      Tag: (ctx, id) => labels.findTag(ctx, id),
      ApiKey: (ctx, id) => apiKeys.findVisible(ctx, id),
      TicketFile: (ctx, id) => files.findVisible(ctx, id),
      SlaPolicy: (ctx, id) => sla.findVisible(ctx, id),
      Group: (ctx, id) => labels.findGroup(ctx, id),
      Webhook: (ctx, id) => webhooks.findVisible(ctx, 'Webhook', id),
      WebhookDelivery: (ctx, id) => webhooks.findVisible(ctx, 'WebhookDelivery', id),
      Event: (ctx, id) => events.findVisible(ctx, id),
      TicketEvent: (ctx, id) => ticketEvents.findVisible(ctx, id),
      Job: (ctx, id) => jobs.findVisible(ctx, id),
      CustomField: (ctx, id) => customFields.findVisible(ctx, id),
      // An origin is as visible as its ticket.
      TicketOrigin: async (ctx, id) => {
        const ticket = await this.tickets.byId(ctx, id);
        return ticket && ticketOrigin(ticket);
      },
    };
  }

  @Authorized()
  @Query(() => Node, { nullable: true, description: 'Any object by its global id; null when absent or not visible.' })
  node(@Ctx() ctx: RequestContext, @Arg('id', () => ID, { description: 'A global id from any `id` field.' }) id: string): Promise<Node | null> {
    return this.find(ctx, id);
  }

  @Authorized()
  // Nullable like every root query field here (an error nulls only this field, see test/partial-errors.test.ts).
  @Query(() => [Node], {
    nullable: 'itemsAndList',
    description:
      'Objects by their global ids (as GitHub\'s `nodes`), in the order of `ids`, with the visibility of `node`: null in place of each absent or invisible one. ' +
      'At most PAGE_SIZE_MAX (default 100) ids; more is a BAD_USER_INPUT error.',
  })
  nodes(@Ctx() ctx: RequestContext, @Arg('ids', () => [ID], { description: 'Global ids from any `id` fields; the same id may appear more than once.' }) ids: string[]): Promise<(Node | null)[]> {
    requireViewer(ctx);
    this.tickets.requireIdCount(ids.length, 'ids');
    // Each id is read exactly as node(id:) reads it (tickets and users batch through the request's loaders).
    return Promise.all(ids.map((id) => this.find(ctx, id)));
  }

  private async find(ctx: RequestContext, id: string): Promise<Node | null> {
    const parsed = fromGlobalId(id);
    // Saved searches include the built-in views, whose ids are not row ids.
    if (!parsed || parsed.type === 'SavedSearch') return (await this.savedSearches.findVisible(ctx, parseSavedSearchRef(id))) as Node | null;
    return (await this.finders[parsed.type](ctx, parsed.id)) as Node | null;
  }
}
