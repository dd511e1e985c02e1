import { Arg, Args, Authorized, Ctx, ID, Query, Resolver, Root, Subscription } from 'type-graphql';
import { Ticket } from '../entities/ticket.entity';
import { TicketEventsArgs } from '../graphql/args/ticket-events.args';
import type { RequestContext } from '../graphql/context';
import { decodeTicketRef } from '../graphql/id-args';
import { TicketFilter } from '../graphql/inputs/ticket-filter.input';
import { streamRequest, TicketTopic } from '../graphql/ticket-stream.pubsub';
import { TicketStreamEventConnection } from '../graphql/types/connections';
import { TicketStreamEvent } from '../graphql/types/ticket-stream-event.type';
import { TicketFinder } from '../services/ticket-finder';
import { TicketStreamService } from '../services/ticket-stream.service';

/**
 * Subscriptions (GraphQL over WebSocket, graphql-ws protocol, on /graphql) and the change stream
 * they come from. Each subscription's source is a TicketStreamService queue, reached through the
 * schema's pubSub (graphql/ticket-stream.pubsub.ts); the methods below only pass each event through.
 */
@Resolver(() => TicketStreamEvent)
export class TicketStreamResolver {
  constructor(
    private readonly stream: TicketStreamService,
    private readonly finder: TicketFinder,
  ) {}

  /*
   * Named for what it returns: the stream of ticket changes (history entries, the Change type, as in
   * Ticket.changes) that subscriptions deliver. "Event" already means runnable TicketEvents, Event
   * definitions and WebhookEvents; the first name, ticketEvents, stays as a deprecated alias.
   */
  @Authorized()
  @Query(() => TicketStreamEventConnection, {
    nullable: true,
    description:
      'The change stream: visible history entries of every ticket (or one), oldest first, with opaque ordered cursors. ' +
      'A subscriber that reconnects passes the last cursor it received as `after` to fetch what it missed.',
  })
  async ticketChangeStream(@Ctx() ctx: RequestContext, @Args() args: TicketEventsArgs): Promise<TicketStreamEventConnection> {
    const ref = decodeTicketRef(args.ticketId);
    const ticket = ref === undefined ? null : await this.finder.require(ctx, ref);
    return TicketStreamEventConnection.from(await this.stream.page(ctx, args, ticket));
  }

  @Authorized()
  @Query(() => TicketStreamEventConnection, {
    nullable: true,
    description: 'The change stream under its first name; the same as `ticketChangeStream`.',
    deprecationReason: 'Use `ticketChangeStream`, the same change stream under a name that is not confused with TicketEvent, Event and WebhookEvent.',
  })
  ticketEvents(@Ctx() ctx: RequestContext, @Args() args: TicketEventsArgs): Promise<TicketStreamEventConnection> {
    return this.ticketChangeStream(ctx, args);
  }

  @Authorized()
  @Subscription(() => TicketStreamEvent, {
    description: 'Every history entry (field change, comment, file, audit, job ...) of one ticket, as it commits. NOT_FOUND when the ticket is not visible.',
    topics: TicketTopic.UPDATED,
    topicId: streamRequest,
  })
  ticketUpdated(@Root() event: TicketStreamEvent, @Arg('id', () => ID, { description: 'Global id or number.' }) _id: string): TicketStreamEvent {
    return event;
  }

  @Authorized()
  @Subscription(() => Ticket, {
    description: 'New tickets (created open, or drafts published) that match the filter and that the caller may see.',
    topics: TicketTopic.CREATED,
    topicId: streamRequest,
  })
  ticketCreated(@Root() ticket: Ticket, @Arg('filter', () => TicketFilter, { nullable: true, description: 'Only tickets matching this filter; all visible tickets when omitted.' }) _filter?: TicketFilter | null): Ticket {
    return ticket;
  }

  @Authorized()
  @Subscription(() => TicketStreamEvent, {
    description:
      'A view: every history entry of tickets matching the query (the tickets(query:) language), judged after the change. ' +
      'A malformed query is a BAD_USER_INPUT error naming the term.',
    topics: TicketTopic.CHANGED,
    topicId: streamRequest,
  })
  ticketChanged(@Root() event: TicketStreamEvent, @Arg('query', () => String, { nullable: true, description: 'A query in the tickets(query:) language; every visible ticket when omitted.' }) _query?: string | null): TicketStreamEvent {
    return event;
  }
}
