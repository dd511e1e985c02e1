import { Arg, Args, ArgsType, Ctx, Field, ID, Query, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { Ticket } from '../entities/ticket.entity';
import { ConnectionArgs } from '../graphql/args/connection.args';
import type { RequestContext } from '../graphql/context';
import { TicketFilter } from '../graphql/inputs/ticket-filter.input';
import { TicketStreamEventConnection } from '../graphql/types/connections';
import { TicketStreamEvent } from '../graphql/types/ticket-stream-event.type';

@ArgsType()
class TicketEventsArgs extends ConnectionArgs {
  @Field(() => ID, { nullable: true, description: 'Only this ticket (global id or number).' })
  ticketId?: string | null;
}

type Data<A> = SubscribeResolverData<unknown, A, RequestContext>;

/**
 * Subscriptions (GraphQL over WebSocket, graphql-ws protocol, on /graphql) and the change stream
 * they come from. Each subscription's source is the TicketStreamService's queue for it; the
 * methods below only pass each event through.
 */
@Resolver(() => TicketStreamEvent)
export class TicketStreamResolver {
  @Query(() => TicketStreamEventConnection, {
    description:
      'The change stream: visible history entries of every ticket (or one), oldest first, with opaque ordered cursors. ' +
      'A subscriber that reconnects passes the last cursor it received as `after` to fetch what it missed.',
  })
  async ticketEvents(@Ctx() ctx: RequestContext, @Args() args: TicketEventsArgs): Promise<TicketStreamEventConnection> {
    return TicketStreamEventConnection.from(await ctx.services.ticketStream.page(ctx, args));
  }

  @Subscription(() => TicketStreamEvent, {
    description: 'Every history entry (field change, comment, file, audit, job ...) of one ticket, as it commits. NOT_FOUND when the ticket is not visible.',
    subscribe: async ({ args, context }: Data<{ id: string }>) => {
      const ticket = await context.services.tickets.requireTicket(context, args.id);
      return context.services.ticketStream.subscribeTicket(context, ticket);
    },
  })
  ticketUpdated(@Root() event: TicketStreamEvent, @Arg('id', () => ID, { description: 'Global id or number.' }) _id: string): TicketStreamEvent {
    return event;
  }

  @Subscription(() => Ticket, {
    description: 'New tickets (created open, or drafts published) that match the filter and that the caller may see.',
    subscribe: ({ args, context }: Data<{ filter?: TicketFilter | null }>) => context.services.ticketStream.subscribeCreated(context, args.filter ?? null),
  })
  ticketCreated(@Root() ticket: Ticket, @Arg('filter', () => TicketFilter, { nullable: true }) _filter?: TicketFilter | null): Ticket {
    return ticket;
  }

  @Subscription(() => TicketStreamEvent, {
    description:
      'A view: every history entry of tickets matching the query (the tickets(query:) language), judged after the change. ' +
      'A malformed query is a BAD_USER_INPUT error naming the term.',
    subscribe: ({ args, context }: Data<{ query?: string | null }>) => context.services.ticketStream.subscribeView(context, args.query ?? null),
  })
  ticketChanged(@Root() event: TicketStreamEvent, @Arg('query', () => String, { nullable: true }) _query?: string | null): TicketStreamEvent {
    return event;
  }
}
