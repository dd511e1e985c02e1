import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import { MapperKind, mapSchema, printSchemaWithDirectives } from '@graphql-tools/utils';
import {
  buildClientSchema, introspectionFromSchema, isEnumType, isInputObjectType, isInterfaceType, isListType, isNonNullType, isObjectType, isSpecifiedDirective,
  isUnionType, lexicographicSortSchema, parse, printSchema, type GraphQLInputType, type GraphQLSchema,
} from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema, createResolversMap } from 'type-graphql';
import { ApiKeyResolver } from '../resolvers/api-key.resolver';
import { ChangeResolver, CommentRevisionResolver } from '../resolvers/change.resolver';
import { ServerTicketsResolver, UserTicketsResolver } from '../resolvers/federation.resolver';
import { UserRequestedTicketsResolver } from '../resolvers/requested-tickets.resolver';
import { FileResolver } from '../resolvers/file.resolver';
import { CategoryResolver, GroupResolver, TagResolver } from '../resolvers/label.resolver';
import { CustomFieldResolver, CustomFieldValueResolver, TicketCustomFieldsResolver } from '../resolvers/custom-field.resolver';
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
import { EventResolver, TicketEventResolver, TicketEventsFieldResolver } from '../resolvers/event.resolver';
import { AlertTicketsResolver, ChangeJobResolver, JobResolver, TicketJobsResolver, TicketOriginResolver } from '../resolvers/job.resolver';
import { badUserInput } from '../common/errors';
import type { Services } from '../services/services';
import { authChecker } from './auth-checker';
import type { RequestContext } from './context';
import { parseJobId, parseTicketRef } from './global-id';
import { requireViewer } from '../services/access';
import { directFieldResolvers, directPropertyResolvers } from './direct-field-resolvers';
import { shareEmptyFieldArguments } from './field-arguments';
import { ResolverContainer } from './resolver-container';
import { ticketStreamPubSub } from './ticket-stream.pubsub';
import { Alert } from './types/alert.type';
import { Server } from './types/server.type';

const FEDERATION = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])';

/** Stands in for the services where the schema is only printed or inspected, never executed. */
const NO_SERVICES = new Proxy({} as Services, {
  get: (_target, name) => {
    throw new Error(`This schema was built without services (${String(name)}): it can be printed, not executed`);
  },
});

/**
 * The executable schema: the type-graphql schema (resolver classes, built by the ResolverContainer
 * with the services they declare; privileges checked by authChecker; validation in the services as
 * userErrors) turned into an Apollo Federation 2 subgraph. Ticket and User are entities (reference
 * resolvers below, batched through the request's loaders); Server and Alert are entities owned
 * elsewhere to which this subgraph adds `tickets`.
 */
export async function buildAppSchema(services: Services = NO_SERVICES): Promise<GraphQLSchema> {
  shareEmptyFieldArguments();
  const container = new ResolverContainer(services as unknown as Record<string, object>);
  const base = lexicographicSortSchema(
    await buildSchema({
      resolvers: [
        NodeResolver, TicketResolver, ChangeResolver, CommentRevisionResolver, UserResolver, CategoryResolver, TagResolver, GroupResolver,
        ApiKeyResolver, SavedSearchResolver, FileResolver, OutboxResolver, TicketWorkflowResolver, MetadataResolver, SlaPolicyResolver,
        ServerTicketsResolver, UserTicketsResolver, UserRequestedTicketsResolver, WebhookResolver, WebhookDeliveryResolver,
        EventResolver, TicketEventResolver, TicketEventsFieldResolver, JobResolver, TicketOriginResolver, TicketJobsResolver, AlertTicketsResolver, ChangeJobResolver,
        TicketStreamResolver,
        CustomFieldResolver, TicketCustomFieldsResolver, CustomFieldValueResolver,
      ],
      orphanedTypes: [Server, Alert],
      scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
      container,
      authChecker,
      pubSub: ticketStreamPubSub(services),
      validate: false,
    }),
  );
  describeRootTypes(base);
  const resolvers: Record<string, object> = createResolversMap(base);
  directFieldResolvers(resolvers as Record<string, Record<string, unknown>>, container);
  directPropertyResolvers(resolvers as Record<string, Record<string, unknown>>);
  const reference = <R>(type: string, resolve: (ref: R, ctx: RequestContext) => unknown) => {
    resolvers[type] = { ...resolvers[type], __resolveReference: resolve };
  };
  // The same visibility as direct reads, batched through the loaders (one statement per key kind).
  reference<{ id?: string; number?: number }>('Ticket', (ref, ctx) =>
    services.finder.find(ctx, ref.id != null ? parseTicketRef(ref.id) : ref.number != null ? { by: 'number', number: ref.number } : null),
  );
  reference<{ username: string }>('User', (ref, ctx) => services.users.resolveReference(ctx, ref.username));
  reference<{ id: string }>('Server', (ref) => Object.assign(new Server(), { id: ref.id }));
  reference<{ id: string }>('Job', (ref, ctx) => {
    requireViewer(ctx); // anonymous callers are told to sign in, as by a direct job query
    const id = parseJobId(ref.id);
    return id === null ? null : services.jobs.findVisible(ctx, id);
  });
  reference<{ id: string }>('Alert', (ref) => Object.assign(new Alert(), { id: ref.id }));
  return guardEntities(remapEnumDefaults(buildSubgraphSchema({ typeDefs: parse(`${FEDERATION}\n${printSchemaWithDirectives(base)}`), resolvers: resolvers as never })));
}

/** type-graphql has no option for the root types' descriptions, which GraphiQL shows first. */
function describeRootTypes(schema: GraphQLSchema): void {
  const query = schema.getQueryType();
  const mutation = schema.getMutationType();
  const subscription = schema.getSubscriptionType();
  if (query) query.description = 'Entry points for reading. Objects the caller may not see read as null or are left out of lists.';
  if (mutation) mutation.description = 'Entry points for writing. Each mutation returns a payload whose userErrors explain a refusal; nothing is written then.';
  if (subscription) subscription.description = 'Live updates over graphql-ws, with the same visibility rules as queries.';
}

/** What each entity is keyed by (its @key fields): a representation must carry one of these, well typed. */
const ENTITY_KEYS: Record<string, { field: string; type: 'string' | 'integer' }[]> = {
  Ticket: [{ field: 'id', type: 'string' }, { field: 'number', type: 'integer' }],
  User: [{ field: 'username', type: 'string' }],
  Job: [{ field: 'id', type: 'string' }],
  Server: [{ field: 'id', type: 'string' }],
  Alert: [{ field: 'id', type: 'string' }],
};

/** Why a representation cannot name an entity of ours, or null when it can. */
function representationProblem(rep: unknown, names: Set<string>): string | null {
  const typename = rep !== null && typeof rep === 'object' && !Array.isArray(rep) ? (rep as { __typename?: unknown }).__typename : undefined;
  if (typeof typename !== 'string' || !names.has(typename)) return `Each representation must be an object whose __typename is one of ${[...names].join(', ')}`;
  const keys = ENTITY_KEYS[typename] ?? [];
  const given = keys.filter((k) => (rep as Record<string, unknown>)[k.field] !== undefined);
  if (given.length === 0) return `${typename}: give ${keys.map((k) => k.field).join(' or ')}`;
  for (const k of given) {
    const value = (rep as Record<string, unknown>)[k.field];
    if (k.type === 'string' && typeof value !== 'string') return `${typename}: ${k.field} must be a string`;
    if (k.type === 'integer' && !Number.isSafeInteger(value)) return `${typename}: ${k.field} must be an integer`;
  }
  return null;
}

/**
 * `_entities` takes `_Any` representations; @apollo/subgraph throws a plain Error (a 500) for one
 * that is not an object naming an entity type (found by fuzzing), and our reference resolvers
 * expect their keys well typed. Refuse malformed ones as BAD_USER_INPUT, naming the problem.
 */
function guardEntities(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()._entities;
  const entity = schema.getType('_Entity');
  if (!field?.resolve || !entity || !isUnionType(entity)) return schema;
  const names = new Set(entity.getTypes().map((t) => t.name));
  const resolve = field.resolve;
  field.resolve = (source, args: { representations?: unknown }, ctx, info) => {
    for (const rep of Array.isArray(args.representations) ? args.representations : []) {
      const problem = representationProblem(rep, names);
      if (problem) throw badUserInput(problem);
    }
    return resolve(source, args, ctx, info);
  };
  return schema;
}

/**
 * buildSubgraphSchema reads default values from the SDL before it installs the enums' internal
 * values (DESC -> 'desc'), so an enum default stayed the name: resolvers received 'DESC' for an
 * omitted direction and introspection failed to serialize it (a 500). Maps such defaults to the values.
 */
function remapEnumDefaults(schema: GraphQLSchema): GraphQLSchema {
  const remap = (value: unknown, type: GraphQLInputType): unknown => {
    if (value === undefined || value === null) return value;
    if (isNonNullType(type)) return remap(value, type.ofType);
    if (isEnumType(type)) return typeof value === 'string' && type.getValue(value) ? type.getValue(value)?.value : value;
    if (isListType(type)) return Array.isArray(value) ? value.map((v) => remap(v, type.ofType)) : remap(value, type.ofType);
    if (isInputObjectType(type) && typeof value === 'object') {
      const fields = type.getFields();
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, fields[k] ? remap(v, fields[k].type) : v]));
    }
    return value;
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isInputObjectType(type)) for (const f of Object.values(type.getFields())) f.defaultValue = remap(f.defaultValue, f.type);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const f of Object.values(type.getFields())) for (const a of f.args) a.defaultValue = remap(a.defaultValue, a.type);
    }
  }
  return schema;
}

/**
 * The subgraph SDL committed as schema.subgraph.graphql (sorted, with the federation directives
 * @link, @key, @shareable): what a router or composition needs, so diffs show only real API changes.
 */
export function printSubgraphSdl(schema: GraphQLSchema): string {
  return `${printSubgraphSchema(schema)}\n`;
}

/** The fields and types buildSubgraphSchema adds for routers (and the @link imports' types). */
const FEDERATION_FIELDS = new Set(['_entities', '_service']);
const FEDERATION_TYPE = /^(_Any|_Entity|_Service|link__\w+|federation__\w+)$/;

/**
 * The schema as a client sees it: exactly what introspection shows (so no applied directives such as
 * @key, which introspection cannot express), without the federation machinery a router uses
 * (_entities, _service, _Any, the @link/@key directive definitions). Front-end tools (relay-compiler,
 * graphql-codegen, graphql-inspector, graphql-eslint) read this without knowing about federation.
 */
export function clientSchema(schema: GraphQLSchema): GraphQLSchema {
  const introspected = buildClientSchema(introspectionFromSchema(schema));
  return lexicographicSortSchema(
    mapSchema(introspected, {
      [MapperKind.TYPE]: (type) => (FEDERATION_TYPE.test(type.name) ? null : type),
      [MapperKind.QUERY_ROOT_FIELD]: (field, name) => (FEDERATION_FIELDS.has(name) ? null : field),
      [MapperKind.DIRECTIVE]: (directive) => (isSpecifiedDirective(directive) ? directive : null),
    }),
  );
}

/** The client-facing SDL committed as schema.graphql (sorted), for front-end tools and reviewers. */
export function printClientSdl(schema: GraphQLSchema): string {
  return `${printSchema(clientSchema(schema))}\n`;
}
