import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { SlaPolicy } from '../entities/sla-policy.entity';
import type { TicketSla } from '../services/sla.service';
import { renderMarkdown } from '../common/text';
import { Category } from '../entities/category.entity';
import { Tag } from '../entities/tag.entity';
import { TicketFile } from '../entities/ticket-file.entity';
import { TicketUserRole } from '../entities/ticket-user.entity';
import { Ticket } from '../entities/ticket.entity';
import { ChangeType } from '../entities/ticket.enums';
import { User } from '../entities/user.entity';
import { ConnectionArgs } from '../graphql/args/connection.args';
import type { RequestContext } from '../graphql/context';
import { toGlobalId } from '../graphql/global-id';
import { TicketCreateInput } from '../graphql/inputs/ticket-create.input';
import { TicketOrder } from '../graphql/inputs/ticket-order.input';
import { TicketFilter } from '../graphql/inputs/ticket-filter.input';
import { filterToJson, type FilterJson } from '../search/ticket-filter.json';
import { GraphQLJSONObject } from 'graphql-scalars';
import { TicketUpdateInput } from '../graphql/inputs/ticket-update.input';
import { ChangeConnection, TicketConnection } from '../graphql/types/connections';
import { TicketDeletePayload, TicketPayload } from '../graphql/types/payloads';

@ArgsType()
class TicketsArgs extends ConnectionArgs {
  @Field(() => Boolean, { nullable: true, description: 'Admins only: include soft-deleted tickets (deletedAt set).' })
  includeDeleted?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The ticket query language, e.g. `status:open due:<today`, `tags:db|web -closed`, `changes:"thank you"`. ' +
      'See ticketQueryParse for what a query means. ANDed with filter.',
  })
  query?: string | null;

  @Field(() => TicketFilter, { nullable: true, description: 'Typed conditions, ANDed with query.' })
  filter?: TicketFilter | null;

  @Field(() => [TicketOrder], { nullable: true, description: 'Sort keys in order; default number descending (newest first).' })
  orderBy?: TicketOrder[] | null;
}

@ArgsType()
class TicketChangesArgs extends ConnectionArgs {
  @Field(() => [ChangeType], { nullable: true, description: 'Only entries of these types, e.g. [COMMENT].' })
  types?: ChangeType[] | null;
}

@ObjectType('TicketSla', { description: "The ticket's service-level targets and where it stands." })
class TicketSlaType {
  @Field(() => SlaPolicy) policy: SlaPolicy;
  @Field(() => Date) responseDueAt: Date;
  @Field(() => Date) resolutionDueAt: Date;
  @Field(() => Date, { nullable: true, description: 'First comment by someone other than the requester.' }) firstResponseAt: Date | null;
  @Field({ description: 'A target was missed (response or resolution).' }) breached: boolean;
  @Field({ description: 'Not breached yet, but less than a quarter of the resolution window is left.' }) atRisk: boolean;
}

const EXPECTED_VERSION = "The ticket's version you last saw: CONFLICT (nothing written) if it has changed since.";

@Resolver(() => Ticket)
export class TicketResolver {
  @Query(() => Ticket, { nullable: true, description: 'A ticket by global id (or number as id) or by number; null when absent or not visible.' })
  ticket(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID, { nullable: true }) id?: string | null,
    @Arg('number', () => Int, { nullable: true }) number?: number | null,
  ): Promise<Ticket | null> {
    return ctx.services.tickets.find(ctx, { id, number });
  }

  @Query(() => [Ticket], { nullable: 'items', description: 'Tickets in request order; null in place of each missing or invisible one.' })
  ticketsByIds(@Ctx() ctx: RequestContext, @Arg('ids', () => [ID]) ids: string[]): Promise<(Ticket | null)[]> {
    return ctx.services.tickets.findMany(ctx, ids);
  }

  @Query(() => TicketConnection)
  async tickets(@Ctx() ctx: RequestContext, @Args() args: TicketsArgs): Promise<TicketConnection> {
    return TicketConnection.from(await ctx.services.tickets.list(ctx, args));
  }

  @Query(() => GraphQLJSONObject, {
    nullable: true,
    description:
      'What a query means: the TicketFilter it parses into, as JSON in GraphQL spelling, ready to pass back as `filter`. ' +
      'Null for an empty query (everything). A malformed query is a BAD_USER_INPUT error naming the term.',
  })
  ticketQueryParse(@Ctx() ctx: RequestContext, @Arg('query') query: string): FilterJson | null {
    const filter = ctx.services.tickets.parseQuery(ctx, query);
    return filter && filterToJson(filter);
  }

  @Mutation(() => TicketPayload, { description: 'Requires create_tickets. The creator is always the caller.' })
  async ticketCreate(@Ctx() ctx: RequestContext, @Arg('input') input: TicketCreateInput): Promise<TicketPayload> {
    return { ...(await ctx.services.tickets.create(ctx, input)), clientMutationId: input.clientMutationId ?? null };
  }

  @Mutation(() => TicketPayload, { description: 'Requires edit_tickets. Records one history entry per changed field.' })
  ticketUpdate(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: TicketUpdateInput): Promise<TicketPayload> {
    return ctx.services.tickets.update(ctx, id, input);
  }

  @Mutation(() => TicketDeletePayload, { description: 'Soft delete (requires delete_tickets); undo with ticketRestore.' })
  ticketDelete(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('expectedVersion', () => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion: number | null): Promise<TicketDeletePayload> {
    return ctx.services.tickets.softDelete(ctx, id, expectedVersion ?? null);
  }

  @Mutation(() => TicketPayload, { description: 'Brings back a soft-deleted ticket (requires delete_tickets).' })
  ticketRestore(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('expectedVersion', () => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion: number | null): Promise<TicketPayload> {
    return ctx.services.tickets.restore(ctx, id, expectedVersion ?? null);
  }

  @Mutation(() => TicketDeletePayload, { description: 'Permanently removes a ticket and its history (requires delete_tickets).' })
  ticketPurge(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<TicketDeletePayload> {
    return ctx.services.tickets.purge(ctx, id);
  }

  @FieldResolver(() => ID)
  id(@Root() ticket: Ticket): string {
    return toGlobalId('Ticket', ticket.id);
  }

  @FieldResolver(() => String, { description: 'The body rendered from Markdown; raw HTML is escaped, unsafe links dropped.' })
  bodyHtml(@Root() ticket: Ticket): string {
    return renderMarkdown(ticket.body);
  }

  @FieldResolver(() => Category, { nullable: true })
  category(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<Category | null> | null {
    return ticket.categoryId == null ? null : ctx.loaders.categoryById.load(ticket.categoryId);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who the ticket is for; the creator unless given.' })
  requester(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<User | null> | null {
    return ticket.requesterId == null ? null : ctx.loaders.userById.load(ticket.requesterId);
  }

  @FieldResolver(() => User, { nullable: true })
  resolvedBy(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<User | null> | null {
    return ticket.resolvedById == null ? null : ctx.loaders.userById.load(ticket.resolvedById);
  }

  @FieldResolver(() => TicketSlaType, { nullable: true, description: 'Null when no SLA policy matched the ticket.' })
  sla(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<TicketSla | null> {
    return ctx.services.sla.of(ctx, ticket);
  }

  @FieldResolver(() => Boolean, { description: 'Changed by someone else since you last marked it read (ticketMarkRead).' })
  unread(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<boolean> {
    return ctx.services.tickets.isUnread(ctx, ticket);
  }

  @FieldResolver(() => [TicketFile], { description: 'Attached files, oldest first; expired files are gone.' })
  files(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<TicketFile[]> {
    return ctx.services.files.filesOf(ctx, ticket.id);
  }

  @FieldResolver(() => [Tag])
  tags(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<Tag[]> {
    return ctx.loaders.ticketTags.load(ticket.id);
  }

  @FieldResolver(() => [User])
  assignees(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<User[]> {
    return ctx.loaders.ticketUsers.load({ ticketId: ticket.id, role: TicketUserRole.ASSIGNEE });
  }

  @FieldResolver(() => [User])
  cc(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<User[]> {
    return ctx.loaders.ticketUsers.load({ ticketId: ticket.id, role: TicketUserRole.CC });
  }

  @FieldResolver(() => User)
  async creator(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<User> {
    return (await ctx.loaders.userById.load(ticket.creatorId)) as User;
  }

  @FieldResolver(() => ChangeConnection, { description: 'History, oldest first; use last: N for the N latest entries.' })
  async changes(@Root() ticket: Ticket, @Ctx() ctx: RequestContext, @Args() args: TicketChangesArgs): Promise<ChangeConnection> {
    return ChangeConnection.from(await ctx.services.changes.page(ctx, ticket.id, args, args.types ?? null));
  }
}
