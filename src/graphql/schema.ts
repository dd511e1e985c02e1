import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { lexicographicSortSchema, parse, type GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema, createResolversMap } from 'type-graphql';
import { ApiKeyResolver } from '../resolvers/api-key.resolver';
import { ChangeResolver, CommentRevisionResolver } from '../resolvers/change.resolver';
import { ServerTicketsResolver, UserTicketsResolver } from '../resolvers/federation.resolver';
import { FileResolver } from '../resolvers/file.resolver';
import { CategoryResolver, GroupResolver, TagResolver } from '../resolvers/label.resolver';
import { MetadataResolver } from '../resolvers/metadata.resolver';
import { NodeResolver } from '../resolvers/node.resolver';
import { OutboxResolver } from '../resolvers/outbox.resolver';
import { SavedSearchResolver } from '../resolvers/saved-search.resolver';
import { SlaPolicyResolver } from '../resolvers/sla.resolver';
import { TicketWorkflowResolver } from '../resolvers/ticket-workflow.resolver';
import { TicketResolver } from '../resolvers/ticket.resolver';
import { TicketStreamResolver } from '../resolvers/ticket-stream.resolver';
import { UserResolver } from '../resolvers/user.resolver';
import { WebhookDeliveryResolver, WebhookResolver } from '../resolvers/webhook.resolver';
import type { RequestContext } from './context';
import { Server } from './types/server.type';
import { Alert } from './types/alert.type';
import { EventResolver, TicketEventResolver, TicketEventsFieldResolver } from '../resolvers/event.resolver';
import { AlertTicketsResolver, ChangeJobResolver, JobResolver, TicketJobsResolver, TicketOriginResolver } from '../resolvers/job.resolver';

const FEDERATION = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])';

const NO_PUBSUB = {
  publish: () => {
    throw new Error('Subscriptions publish through TicketStreamService, not the type-graphql pubSub');
  },
  subscribe: () => {
    throw new Error('Every @Subscription must pass its own `subscribe` source');
  },
};

/**
 * The executable schema: the type-graphql schema (resolver classes; validation lives in the
 * services as userErrors) turned into an Apollo Federation 2 subgraph. Ticket and User are
 * entities (reference resolvers below, batched through the request's loaders); Server and Alert
 * are entities owned elsewhere to which this subgraph adds `tickets`.
 */
export async function buildAppSchema(): Promise<GraphQLSchema> {
  const base = lexicographicSortSchema(
    await buildSchema({
      resolvers: [
        NodeResolver, TicketResolver, ChangeResolver, CommentRevisionResolver, UserResolver, CategoryResolver, TagResolver, GroupResolver,
        ApiKeyResolver, SavedSearchResolver, FileResolver, OutboxResolver, TicketWorkflowResolver, MetadataResolver, SlaPolicyResolver,
        ServerTicketsResolver, UserTicketsResolver, WebhookResolver, WebhookDeliveryResolver,
        EventResolver, TicketEventResolver, TicketEventsFieldResolver, JobResolver, TicketOriginResolver, TicketJobsResolver, AlertTicketsResolver, ChangeJobResolver,
        TicketStreamResolver,
      ],
      orphanedTypes: [Server, Alert],
      scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
      // Every @Subscription brings its own source (`subscribe`: the TicketStreamService queues, which
      // batch loads and authorization per event); type-graphql insists on a pubSub all the same.
      pubSub: NO_PUBSUB,
      validate: false,
    }),
  );
  const resolvers: Record<string, object> = createResolversMap(base);
  const reference = <R>(type: string, resolve: (ref: R, ctx: RequestContext) => unknown) => {
    resolvers[type] = { ...resolvers[type], __resolveReference: resolve };
  };
  reference<{ id?: string; number?: number }>('Ticket', (ref, ctx) => ctx.services.tickets.resolveReference(ctx, ref));
  reference<{ username: string }>('User', (ref, ctx) => ctx.services.users.resolveReference(ctx, ref.username));
  reference<{ id: string }>('Server', (ref) => Object.assign(new Server(), { id: ref.id }));
  reference<{ id: string }>('Job', (ref, ctx) => ctx.services.jobs.resolveReference(ctx, ref.id));
  reference<{ id: string }>('Alert', (ref) => Object.assign(new Alert(), { id: ref.id }));
  return buildSubgraphSchema({ typeDefs: parse(`${FEDERATION}\n${printSchemaWithDirectives(base)}`), resolvers: resolvers as never });
}

/** The SDL committed as schema.graphql (sorted, with federation directives), so diffs show only real API changes. */
export function printAppSchema(schema: GraphQLSchema): string {
  return `${printSubgraphSchema(schema)}\n`;
}
