import type { PubSub } from 'type-graphql';
import type { Services } from '../services/services';
import type { RequestContext } from './context';
import { parseTicketRef } from './global-id';
import type { TicketFilter } from './inputs/ticket-filter.input';

/** What a subscription asks its topic for: the operation's context and raw arguments (as topicId). */
export interface StreamRequest {
  context: RequestContext;
  args: Record<string, unknown>;
}

/** type-graphql's topicId for our subscriptions: the request itself, which the sources below read. */
export const streamRequest = ({ context, args }: { context: RequestContext; args: Record<string, unknown> }): StreamRequest => ({ context, args });

export const TicketTopic = { UPDATED: 'ticketUpdated', CREATED: 'ticketCreated', CHANGED: 'ticketChanged' } as const;
type Topic = (typeof TicketTopic)[keyof typeof TicketTopic];

/**
 * The subscriptions' sources, as type-graphql's pubSub (the hook it gives a subscription's source):
 * each topic is a queue of the TicketStreamService, which batches loads and authorization per event.
 * Built at the composition root, so subscription resolvers need no service in their context.
 * Nothing publishes through it: committed writes reach the queues through TicketStreamDispatcher.
 */
export function ticketStreamPubSub(services: Pick<Services, 'ticketStream' | 'finder'>): PubSub {
  const sources: Record<Topic, (ctx: RequestContext, args: Record<string, unknown>) => Promise<AsyncIterable<unknown>>> = {
    ticketUpdated: async (ctx, args) => services.ticketStream.subscribeTicket(ctx, await services.finder.require(ctx, parseTicketRef(String(args.id)))),
    ticketCreated: async (ctx, args) => services.ticketStream.subscribeCreated(ctx, (args.filter as TicketFilter | undefined) ?? null),
    ticketChanged: async (ctx, args) => services.ticketStream.subscribeView(ctx, (args.query as string | undefined) ?? null),
  };
  return {
    publish: () => {
      throw new Error('Subscriptions are fed by TicketStreamDispatcher, not published through the pubSub');
    },
    // graphql-js awaits what a subscribe function returns: a rejected source (NOT_FOUND, a bad
    // filter) fails the subscription with that error before anything is registered.
    subscribe: (topic, request) => {
      const { context, args } = request as StreamRequest;
      return sources[topic as Topic](context, args) as unknown as AsyncIterable<never>;
    },
  };
}
