import type { AppConfig } from '../config/config';
import type { Database } from '../db/database';
import { TicketChange } from '../entities/ticket-change.entity';
import type { ChangeType } from '../entities/ticket.enums';
import type { ConnectionArgs } from '../graphql/args/connection.args';
import type { RequestContext } from '../graphql/context';
import type { Page } from '../graphql/types/connection.factory';
import { buildPage, decodeIdCursor, idCursor, pageRequest } from './pagination';
import type { TicketFinder } from './ticket-finder';

/** Reads of tickets' history: pages of entries (through loaders: one statement for a whole list of tickets) and single entries. */
export class ChangeService {
  constructor(
    private readonly db: Database,
    private readonly limits: AppConfig['limits'],
    private readonly finder: TicketFinder,
  ) {}

  async page(ctx: RequestContext, ticketId: number, args: ConnectionArgs, types: ChangeType[] | null): Promise<Page<TicketChange>> {
    const req = pageRequest(args, this.limits);
    const sortedTypes = types && types.length > 0 ? [...new Set(types)].sort() : null;
    const rows = await ctx.loaders.changePage.load({ ticketId, backward: req.backward, take: req.limit + 1, cursorId: req.cursor ? decodeIdCursor(req.cursor) : null, types: sortedTypes });
    return { ...buildPage([...rows], req, (c) => idCursor(c.id)), count: () => ctx.loaders.changeCount.load({ ticketId, types: sortedTypes }) };
  }

  /** A history entry, if the viewer can see its ticket. */
  async findVisible(ctx: RequestContext, changeId: number): Promise<TicketChange | null> {
    const change = await this.db.em(ctx).findOneBy(TicketChange, { id: changeId });
    if (!change) return null;
    return (await this.finder.byId(ctx, change.ticketId)) ? change : null;
  }
}
