import { forbidden } from '../common/errors';
import type { AppConfig } from '../config/config';
import { sqlDateTime } from '../db/column-types';
import type { Database } from '../db/database';
import type { TicketOriginKind } from '../entities/job.enums';
import { TicketRead } from '../entities/ticket-read.entity';
import { TicketUser } from '../entities/ticket-user.entity';
import { Ticket } from '../entities/ticket.entity';
import type { ConnectionArgs } from '../graphql/args/connection.args';
import type { RequestContext } from '../graphql/context';
import type { TicketFilter } from '../graphql/inputs/ticket-filter.input';
import type { TicketOrder } from '../graphql/inputs/ticket-order.input';
import type { Page } from '../graphql/types/connection.factory';
import type { CustomFieldLookup } from '../search/custom-field.filter';
import { TicketFilterCompiler } from '../search/ticket-filter.compiler';
import { parseTicketQuery } from '../search/ticket-query.parser';
import { isAdmin, requireViewer, scopeVisibleTickets, seesInternalNotes } from './access';
import { buildPage, pageRequest } from './pagination';
import { TicketOrdering } from './ticket-order';

export interface TicketSearch {
  /** Admins only: soft-deleted tickets too. */
  includeDeleted?: boolean | null;
  query?: string | null;
  filter?: TicketFilter | null;
  orderBy?: TicketOrder[] | null;
  /** Tickets a job or an alert opened (Alert.tickets, Job.tickets). */
  origin?: { kind: TicketOriginKind; id: string } | null;
}

/** Lists and searches tickets for a caller, and what the caller has read. */
export class TicketQueryService {
  constructor(
    private readonly db: Database,
    private readonly limits: AppConfig['limits'],
    /** Custom field definitions, for cf.<key> conditions and orderBy. */
    readonly customFields: CustomFieldLookup,
  ) {}

  /**
   * A page of visible tickets matching a query (the query language) and a typed filter, ANDed.
   * totalCount runs the same conditions as one COUNT when asked for.
   */
  async list(ctx: RequestContext, args: ConnectionArgs & TicketSearch): Promise<Page<Ticket>> {
    const viewer = requireViewer(ctx);
    if (args.includeDeleted && !isAdmin(viewer)) throw forbidden('Only admins list deleted tickets');
    const req = pageRequest(args, this.limits);
    const ordering = new TicketOrdering(args.orderBy, this.customFields);
    const parsed = args.query ? this.parseQuery(ctx, args.query) : null;
    const em = this.db.em(ctx);
    const base = scopeVisibleTickets(em.createQueryBuilder(Ticket, 't'), viewer, 't', { includeDeleted: args.includeDeleted === true });
    const compiler = new TicketFilterCompiler(base, this.db.dialect, 't', this.customFields, !seesInternalNotes(viewer));
    compiler.apply(parsed);
    compiler.apply(args.filter);
    if (args.origin) base.andWhere('t.originKind = :originKind AND t.originId = :originId', { originKind: args.origin.kind, originId: args.origin.id });
    const countQb = base.clone();
    ordering.apply(base, 't', req.cursor, req.backward);
    // Deferred join: the filter, sort and LIMIT run over ids in a derived table, then only the page's
    // rows are read whole. Sorting whole rows (bodies of a KB and more) made MariaDB's filesort of
    // "status:open tags:x" cost twice as much as the search itself (bench/RESULTS.md, W3a).
    const ids = base.select('t.id', 'id').limit(req.limit + 1);
    // The outer statement is fixed text over the ticket's columns (db/entity-rows.ts): only the
    // filter needs the query builder.
    const [idsSql, idsParams] = ids.getQueryAndParameters();
    const t = this.db.rows(Ticket, 't');
    const rows = t.mapAll(await em.query(`SELECT ${t.select} FROM ${t.table} t INNER JOIN (${idsSql}) p ON p.id = ${t.col('id')} ORDER BY ${ordering.orderSql((p) => t.col(p), req.backward)}`, idsParams));
    await ordering.loadCustomValues((sql, params) => em.query(sql, params), rows.map((t) => t.id));
    for (const t of rows) ctx.loaders.ticketById.prime(t.id, t);
    return buildPage(rows, req, (t) => ordering.cursorOf(t), () => countQb.getCount());
  }

  /** The query language parsed for this caller (@me) at this moment (today, now). */
  parseQuery(ctx: RequestContext, query: string): TicketFilter | null {
    const viewer = requireViewer(ctx);
    return parseTicketQuery(query, { now: new Date(), username: viewer.user.username });
  }

  /** Marks the ticket read by the caller at its current version. */
  async markRead(ctx: RequestContext, ticket: Ticket): Promise<Ticket> {
    const viewer = requireViewer(ctx);
    const params = [viewer.user.id, ticket.id, ticket.version, sqlDateTime(new Date())];
    const upsert =
      this.db.dialect === 'sqlite'
        ? 'ON CONFLICT(user_id, ticket_id) DO UPDATE SET read_version = MAX(read_version, excluded.read_version), read_at = excluded.read_at'
        : 'ON DUPLICATE KEY UPDATE read_version = GREATEST(read_version, VALUES(read_version)), read_at = VALUES(read_at)';
    await this.db.em(ctx).query(`INSERT INTO ticket_read (user_id, ticket_id, read_version, read_at) VALUES (?, ?, ?, ?) ${upsert}`, params);
    ctx.loaders.ticketRead.clear({ userId: viewer.user.id, ticketId: ticket.id });
    return ticket;
  }

  /** Changed since the caller last read it, by someone else. */
  async isUnread(ctx: RequestContext, ticket: Ticket): Promise<boolean> {
    const viewer = requireViewer(ctx);
    if (ticket.lastActorId === viewer.user.id) return false;
    const read = await ctx.loaders.ticketRead.load({ userId: viewer.user.id, ticketId: ticket.id });
    return read === null || read.readVersion < ticket.version;
  }

  /** Unread tickets the caller takes part in (creator, requester, assignee or cc). */
  async unreadCount(ctx: RequestContext): Promise<number> {
    const viewer = requireViewer(ctx);
    const me = viewer.user.id;
    const qb = scopeVisibleTickets(this.db.em(ctx).createQueryBuilder(Ticket, 't'), viewer);
    qb.andWhere(
      (q) => `(t.creatorId = :me OR t.requesterId = :me OR t.id IN ${q.subQuery().select('tu.ticketId').from(TicketUser, 'tu').where('tu.userId = :me').getQuery()})`,
      { me },
    );
    qb.andWhere('(t.lastActorId IS NULL OR t.lastActorId <> :me)');
    qb.andWhere((q) => `NOT EXISTS ${q.subQuery().select('1').from(TicketRead, 'r').where('r.ticketId = t.id AND r.userId = :me AND r.readVersion >= t.version').getQuery()}`);
    return qb.getCount();
  }
}
