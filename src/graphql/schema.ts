import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { ApiKeyResolver } from '../resolvers/api-key.resolver';
import { ChangeResolver, CommentRevisionResolver } from '../resolvers/change.resolver';
import { CategoryResolver, GroupResolver, TagResolver } from '../resolvers/label.resolver';
import { FileResolver } from '../resolvers/file.resolver';
import { NodeResolver } from '../resolvers/node.resolver';
import { TicketWorkflowResolver } from '../resolvers/ticket-workflow.resolver';
import { MetadataResolver } from '../resolvers/metadata.resolver';
import { SlaPolicyResolver } from '../resolvers/sla.resolver';
import { OutboxResolver } from '../resolvers/outbox.resolver';
import { SavedSearchResolver } from '../resolvers/saved-search.resolver';
import { TicketResolver } from '../resolvers/ticket.resolver';
import { UserResolver } from '../resolvers/user.resolver';

/** Builds the executable schema from the resolver classes. Validation lives in the services (as userErrors). */
export function buildAppSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [NodeResolver, TicketResolver, ChangeResolver, CommentRevisionResolver, UserResolver, CategoryResolver, TagResolver, GroupResolver, ApiKeyResolver, SavedSearchResolver, FileResolver, OutboxResolver, TicketWorkflowResolver, MetadataResolver, SlaPolicyResolver],
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
  });
}

/** The SDL committed as schema.graphql: sorted so that diffs show only real API changes. */
export function printAppSchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
