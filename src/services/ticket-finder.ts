import { badUserInput, notFound } from '../common/errors';
import type { AppConfig } from '../config/config';
import type { Ticket } from '../entities/ticket.entity';
import type { RequestContext } from '../graphql/context';
import type { TicketRef } from '../graphql/global-id';
import { requireViewer, ticketVisible } from './access';

/**
 * Finds tickets for a caller, through the request's loaders: a ticket outside the caller's
 * categories, not its own for an own-tickets-only caller, or soft-deleted, is not there for them, exactly like one that does not exist.
 * Lower than every service that works on tickets.
 */
export class TicketFinder {
  constructor(private readonly limits: AppConfig['limits']) {}

  /** By row id or number; null when absent or not visible. */
  async find(ctx: RequestContext, ref: TicketRef | null, opts: { includeDeleted?: boolean } = {}): Promise<Ticket | null> {
    if (ref === null) return null;
    return ref.by === 'id' ? this.byId(ctx, ref.id, opts) : this.byNumber(ctx, ref.number, opts);
  }

  async byId(ctx: RequestContext, id: number, opts: { includeDeleted?: boolean } = {}): Promise<Ticket | null> {
    const viewer = requireViewer(ctx);
    const ticket = await ctx.loaders.ticketById.load(id);
    return ticket && (await ticketVisible(ctx, viewer, ticket, opts)) ? ticket : null;
  }

  async byNumber(ctx: RequestContext, number: number, opts: { includeDeleted?: boolean } = {}): Promise<Ticket | null> {
    const viewer = requireViewer(ctx);
    if (!Number.isSafeInteger(number) || number < 1) return null;
    const ticket = await ctx.loaders.ticketByNumber.load(number);
    if (!ticket) return null;
    ctx.loaders.ticketById.prime(ticket.id, ticket);
    return (await ticketVisible(ctx, viewer, ticket, opts)) ? ticket : null;
  }

  /** For mutations: the target ticket, or a NOT_FOUND error that does not reveal whether it exists. */
  async require(ctx: RequestContext, ref: TicketRef | null, opts: { includeDeleted?: boolean } = {}): Promise<Ticket> {
    const ticket = await this.find(ctx, ref, opts);
    if (!ticket) throw notFound('No such ticket');
    return ticket;
  }

  /** requireTicket by row id. */
  requireById(ctx: RequestContext, id: number, opts: { includeDeleted?: boolean } = {}): Promise<Ticket> {
    return this.require(ctx, { by: 'id', id }, opts);
  }

  /** Lists of ids (ticketsByIds, nodes) are bounded like a page: BAD_USER_INPUT naming the argument beyond PAGE_SIZE_MAX. */
  requireIdCount(count: number, argument: string): void {
    if (count > this.limits.pageSizeMax) throw badUserInput(`${argument}: at most ${this.limits.pageSizeMax} ids per request (got ${count})`);
  }

  /** Tickets in request order; null for references that are malformed, missing or not visible. */
  async findMany(ctx: RequestContext, refs: (TicketRef | null)[]): Promise<(Ticket | null)[]> {
    requireViewer(ctx);
    this.requireIdCount(refs.length, 'ids');
    return Promise.all(refs.map((ref) => this.find(ctx, ref)));
  }
}
