import type { AppConfig } from '../config/config';
import type { Database } from '../db/database';
import { TicketChange } from '../entities/ticket-change.entity';
import { CommentVisibility } from '../entities/comment-visibility.enum';
import type { ChangeType } from '../entities/ticket.enums';
import { canSeeChange, requireViewer, seesInternalNotes } from './access';
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

  /** A page of a ticket's history; internal entries only for callers who read them (seesInternalNotes). */
  async page(ctx: RequestContext, ticketId: number, args: ConnectionArgs, types: ChangeType[] | null, visibility: CommentVisibility | null = null): Promise<Page<TicketChange>> {
    const viewer = requireViewer(ctx);
    const req = pageRequest(args, this.limits);
    const sortedTypes = types && types.length > 0 ? [...new Set(types)].sort() : null;
    const sees = seesInternalNotes(viewer);
    // Asking for internal notes without reading them is asking for nothing; otherwise public entries only.
    if (!sees && visibility === CommentVisibility.INTERNAL) return buildPage([], req, (c: TicketChange) => idCursor(c.id), () => Promise.resolve(0));
    const shown = sees ? visibility : CommentVisibility.PUBLIC;
    const rows = await ctx.loaders.changePage.load({ ticketId, backward: req.backward, take: req.limit + 1, cursorId: req.cursor ? decodeIdCursor(req.cursor) : null, types: sortedTypes, visibility: shown });
    return buildPage([...rows], req, (c) => idCursor(c.id), () => ctx.loaders.changeCount.load({ ticketId, types: sortedTypes, visibility: shown }));
  }

  /**
   * The comment an audit entry (COMMENT_VISIBILITY) is about: on the entry's own ticket, which the
   * caller is reading, so only the entry's visibility rule is asked again. Batched per request.
   */
  async commentOf(ctx: RequestContext, entry: TicketChange): Promise<TicketChange | null> {
    if (entry.commentId === null) return null;
    const comment = await ctx.loaders.changeById.load(entry.commentId);
    return comment && comment.ticketId === entry.ticketId && canSeeChange(requireViewer(ctx), comment) ? comment : null;
  }

  /** A history entry, if the viewer can see its ticket and the entry (internal ones: staff only). */
  async findVisible(ctx: RequestContext, changeId: number): Promise<TicketChange | null> {
    const change = await this.db.em(ctx).findOneBy(TicketChange, { id: changeId });
    if (!change || !canSeeChange(requireViewer(ctx), change)) return null;
    return (await this.finder.byId(ctx, change.ticketId)) ? change : null;
  }
}
