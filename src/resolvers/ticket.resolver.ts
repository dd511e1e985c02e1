import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { badUserInput } from '../common/errors';
import { renderMarkdown } from '../common/text';
import { Category } from '../entities/category.entity';
import { Tag } from '../entities/tag.entity';
import { TicketFile } from '../entities/ticket-file.entity';
import { TicketUserRole } from '../entities/ticket-user.entity';
import { Ticket } from '../entities/ticket.entity';
import { Privilege } from '../entities/ticket.enums';
import { User } from '../entities/user.entity';
import { TicketChangesArgs, TicketsArgs } from '../graphql/args/ticket.args';
import type { RequestContext } from '../graphql/context';
import { toGlobalId, type TicketRef } from '../graphql/global-id';
import { TicketArg, TicketListArg } from '../graphql/id-args';
import { TicketCreateInput } from '../graphql/inputs/ticket-create.input';
import { TicketUpdateInput } from '../graphql/inputs/ticket-update.input';
import { fromInputOrAlias, movedIntoInput } from '../graphql/args/deprecated-alias';
import { TicketDeleteInput, TicketRestoreInput } from '../graphql/inputs/mutation-options.input';
import { payload } from '../graphql/payload';
import { PayloadMutation } from '../graphql/payload-mutation.decorator';
import { ChangeConnection, TicketConnection } from '../graphql/types/connections';
import { DeletePayload, TicketPayload } from '../graphql/types/payloads';
import { TicketSlaType } from '../graphql/types/ticket-sla.type';
import { filterToJson, type FilterJson } from '../search/ticket-filter.json';
import { ChangeService } from '../services/change.service';
import { FileService } from '../services/file.service';
import { SlaService, type TicketSla } from '../services/sla.service';
import { TicketFinder } from '../services/ticket-finder';
import { TicketQueryService } from '../services/ticket-query.service';
import { TicketService } from '../services/ticket.service';
import { EXPECTED_VERSION, GLOBAL_ID } from '../graphql/descriptions';


const ticketPayload = (ticket: Ticket | null) => ({ ticket });
const deletedTicket = (ticket: Ticket | null) => ({ deletedId: ticket && toGlobalId('Ticket', ticket.id) });

@Resolver(() => Ticket)
export class TicketResolver {
  constructor(
    private readonly ticketService: TicketService,
    private readonly queries: TicketQueryService,
    private readonly finder: TicketFinder,
    private readonly changeService: ChangeService,
    private readonly fileService: FileService,
    private readonly slaService: SlaService,
  ) {}

  @Authorized()
  @Query(() => Ticket, {
    nullable: true,
    description:
      'A ticket by global id (or number as id) or by number; null when absent or not visible. ' +
      'Exactly one of `id` and `number`: neither or both is a BAD_USER_INPUT error.',
  })
  async ticket(
    @Ctx() ctx: RequestContext,
    @TicketArg('id', { nullable: true }) id: TicketRef | null | undefined,
    @Arg('number', () => Int, { nullable: true, description: 'The ticket number; give either id or number.' }) number?: number | null,
  ): Promise<Ticket | null> {
    // A null here would read as "no such ticket" and hide the caller's mistake. A malformed id
    // decodes to null but was given, so it still answers null like a missing ticket.
    const byId = id !== undefined;
    const byNumber = number != null;
    if (byId === byNumber) throw badUserInput(byId ? 'Give either `id` or `number`, not both' : 'Give `id` or `number` to name the ticket');
    return this.finder.find(ctx, byId ? id : { by: 'number', number: number! });
  }

  @Authorized()
  @Query(() => [Ticket], { nullable: 'itemsAndList', description: 'Tickets in request order; null in place of each missing or invisible one.' })
  ticketsByIds(@Ctx() ctx: RequestContext, @TicketListArg('ids') refs: (TicketRef | null)[]): Promise<(Ticket | null)[]> {
    return this.finder.findMany(ctx, refs);
  }

  @Authorized()
  @Query(() => TicketConnection, { nullable: true, description: 'Tickets the caller may see, filtered by `filter` or `query` and sorted by `orderBy`.' })
  async tickets(@Ctx() ctx: RequestContext, @Args() args: TicketsArgs): Promise<TicketConnection> {
    return TicketConnection.from(await this.queries.list(ctx, args));
  }

  @Authorized()
  @Query(() => GraphQLJSONObject, {
    nullable: true,
    description:
      'What a query means: the TicketFilter it parses into, as JSON in GraphQL spelling, ready to pass back as `filter`. ' +
      'Null for an empty query (everything). A malformed query is a BAD_USER_INPUT error naming the term.',
  })
  ticketQueryParse(@Ctx() ctx: RequestContext, @Arg('query', { description: 'A query in the tickets(query:) language.' }) query: string): FilterJson | null {
    const filter = this.queries.parseQuery(ctx, query);
    return filter && filterToJson(filter);
  }

  @Authorized(Privilege.CREATE_TICKETS)
  @PayloadMutation(() => TicketPayload, { description: 'Requires create_tickets. The creator is always the caller.' })
  async ticketCreate(@Ctx() ctx: RequestContext, @Arg('input', { description: 'Fields of the new ticket.' }) input: TicketCreateInput): Promise<TicketPayload> {
    const created = await this.ticketService.createOrFind(ctx, input);
    return { ...payload(created, (c) => ({ ticket: c?.ticket ?? null, existing: c?.existing ?? null })), clientMutationId: input.clientMutationId ?? null };
  }

  @Authorized(Privilege.EDIT_TICKETS)
  @PayloadMutation(() => TicketPayload, { description: 'Requires edit_tickets. Records one history entry per changed field.' })
  async ticketUpdate(@Ctx() ctx: RequestContext, @TicketArg('id') id: TicketRef | null, @Arg('input', { description: 'Fields to change; omitted fields keep their value.' }) input: TicketUpdateInput): Promise<TicketPayload> {
    return payload(await this.ticketService.update(ctx, id, input), ticketPayload);
  }

  @Authorized(Privilege.DELETE_TICKETS)
  @PayloadMutation(() => DeletePayload, { description: 'Soft delete (requires delete_tickets); undo with ticketRestore.' })
  async ticketDelete(
    @Ctx() ctx: RequestContext,
    @TicketArg('id') id: TicketRef | null,
    @Arg('input', () => TicketDeleteInput, { nullable: true, description: 'Options of the deletion.' }) input: TicketDeleteInput | null,
    @Arg('expectedVersion', () => Int, { nullable: true, description: EXPECTED_VERSION, deprecationReason: movedIntoInput('expectedVersion') }) expectedVersion: number | null,
  ): Promise<DeletePayload> {
    const version = fromInputOrAlias('expectedVersion', input?.expectedVersion, expectedVersion);
    return payload(await this.ticketService.softDelete(ctx, id, version), deletedTicket);
  }

  @Authorized(Privilege.DELETE_TICKETS)
  @PayloadMutation(() => TicketPayload, { description: 'Brings back a soft-deleted ticket (requires delete_tickets).' })
  async ticketRestore(
    @Ctx() ctx: RequestContext,
    @TicketArg('id') id: TicketRef | null,
    @Arg('input', () => TicketRestoreInput, { nullable: true, description: 'Options of the restore.' }) input: TicketRestoreInput | null,
    @Arg('expectedVersion', () => Int, { nullable: true, description: EXPECTED_VERSION, deprecationReason: movedIntoInput('expectedVersion') }) expectedVersion: number | null,
  ): Promise<TicketPayload> {
    const version = fromInputOrAlias('expectedVersion', input?.expectedVersion, expectedVersion);
    return payload(await this.ticketService.restore(ctx, id, version), ticketPayload);
  }

  @Authorized(Privilege.DELETE_TICKETS)
  @PayloadMutation(() => DeletePayload, { description: 'Permanently removes a ticket and its history (requires delete_tickets).' })
  async ticketPurge(@Ctx() ctx: RequestContext, @TicketArg('id') id: TicketRef | null): Promise<DeletePayload> {
    return payload(await this.ticketService.purge(ctx, id), deletedTicket);
  }

  @FieldResolver(() => ID, { description: GLOBAL_ID })
  id(@Root() ticket: Ticket): string {
    return toGlobalId('Ticket', ticket.id);
  }

  @FieldResolver(() => String, { description: 'The body rendered from Markdown; raw HTML is escaped, unsafe links dropped.' })
  bodyHtml(@Root() ticket: Ticket): string {
    return renderMarkdown(ticket.body);
  }

  @FieldResolver(() => Category, { nullable: true, description: 'Category; null: none.' })
  category(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<Category | null> | null {
    return ticket.categoryId == null ? null : ctx.loaders.categoryById.load(ticket.categoryId);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who the ticket is for; the creator unless given.' })
  requester(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<User | null> | null {
    return ticket.requesterId == null ? null : ctx.loaders.userById.load(ticket.requesterId);
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who last resolved it; null if never resolved.' })
  resolvedBy(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<User | null> | null {
    return ticket.resolvedById == null ? null : ctx.loaders.userById.load(ticket.resolvedById);
  }

  @FieldResolver(() => TicketSlaType, { nullable: true, description: 'Null when no SLA policy matched the ticket.' })
  sla(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<TicketSla | null> {
    return this.slaService.of(ctx, ticket);
  }

  @FieldResolver(() => Boolean, { description: 'Changed by someone else since you last marked it read (ticketMarkRead).' })
  unread(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<boolean> {
    return this.queries.isUnread(ctx, ticket);
  }

  @FieldResolver(() => [TicketFile], { description: 'Attached files, oldest first; expired files are gone.' })
  files(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<TicketFile[]> {
    return this.fileService.filesOf(ctx, ticket.id);
  }

  @FieldResolver(() => [Tag], { description: 'Labels on the ticket.' })
  tags(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<Tag[]> {
    return ctx.loaders.ticketTags.load(ticket.id);
  }

  @FieldResolver(() => [User], { description: 'Users working on the ticket.' })
  assignees(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<User[]> {
    return ctx.loaders.ticketUsers.load({ ticketId: ticket.id, role: TicketUserRole.ASSIGNEE });
  }

  @FieldResolver(() => [User], { description: 'Users who receive updates without working on it.' })
  cc(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<User[]> {
    return ctx.loaders.ticketUsers.load({ ticketId: ticket.id, role: TicketUserRole.CC });
  }

  @FieldResolver(() => User, { description: 'Who created the ticket.' })
  async creator(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<User> {
    return (await ctx.loaders.userById.load(ticket.creatorId)) as User;
  }

  @FieldResolver(() => ChangeConnection, { description: 'History, oldest first; use last: N for the N latest entries.' })
  async changes(@Root() ticket: Ticket, @Ctx() ctx: RequestContext, @Args() args: TicketChangesArgs): Promise<ChangeConnection> {
    return ChangeConnection.from(await this.changeService.page(ctx, ticket.id, args, args.types ?? null, args.visibility ?? null));
  }
}
