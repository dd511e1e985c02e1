import DataLoader from 'dataloader';
import type { AppConfig } from '../config/config';
import type { Database } from '../db/database';
import { Ticket } from '../entities/ticket.entity';
import type { ConnectionArgs } from '../graphql/args/connection.args';
import type { RequestContext, Viewer } from '../graphql/context';
import type { Page } from '../graphql/types/connection.factory';
import type { Loaders } from '../loaders/loaders';
import { requireViewer, scopeVisibleTickets } from './access';
import { buildPage, decodeIdCursor, idCursor, pageRequest } from './pagination';

interface PageKey {
  requesterId: number;
  backward: boolean;
  /** Rows per requester (page size + 1, to learn whether another page exists). */
  take: number;
  cursorId: number | null;
}

interface RequestLoaders {
  page: DataLoader<PageKey, Ticket[], string>;
  count: DataLoader<number, number>;
}

const signature = (k: PageKey) => JSON.stringify([k.backward, k.take, k.cursorId]);

/**
 * User.requestedTickets: the tickets a user requested that the caller may see, newest first. A list
 * of users costs one statement for all their pages (a window function numbers each requester's
 * rows) and one for all their totalCounts, not one per user. The loaders are per request (they
 * carry the caller's visibility), kept beside the request's other loaders.
 */
export class RequestedTicketsService {
  private readonly perRequest = new WeakMap<Loaders, RequestLoaders>();

  constructor(
    private readonly db: Database,
    private readonly limits: AppConfig['limits'],
  ) {}

  async page(ctx: RequestContext, requesterId: number, args: ConnectionArgs): Promise<Page<Ticket>> {
    const req = pageRequest(args, this.limits);
    const loaders = this.loaders(ctx);
    const rows = await loaders.page.load({ requesterId, backward: req.backward, take: req.limit + 1, cursorId: req.cursor ? decodeIdCursor(req.cursor) : null });
    for (const t of rows) ctx.loaders.ticketById.prime(t.id, t);
    return buildPage([...rows], req, (t) => idCursor(t.id), () => loaders.count.load(requesterId));
  }

  private loaders(ctx: RequestContext): RequestLoaders {
    let found = this.perRequest.get(ctx.loaders);
    if (found) return found;
    const viewer = requireViewer(ctx);
    found = {
      page: new DataLoader((keys) => this.loadPages(viewer, keys), { cacheKeyFn: (k) => `${k.requesterId}|${signature(k)}` }),
      count: new DataLoader((ids) => this.loadCounts(viewer, ids)),
    };
    this.perRequest.set(ctx.loaders, found);
    return found;
  }

  /** One statement per distinct page shape (usually one): newest first, `take` rows per requester. */
  private async loadPages(viewer: Viewer, keys: readonly PageKey[]): Promise<Ticket[][]> {
    const em = this.db.manager;
    const groups = new Map<string, PageKey[]>();
    for (const k of keys) groups.set(signature(k), [...(groups.get(signature(k)) ?? []), k]);
    const results = new Map<string, Ticket[]>();
    for (const group of groups.values()) {
      const { backward, take, cursorId } = group[0];
      const inner = scopeVisibleTickets(em.createQueryBuilder(Ticket, 'rt'), viewer, 'rt')
        .select('rt.id', 'id')
        // Newest first: forward pages walk down the ids, backward pages up.
        .addSelect(`ROW_NUMBER() OVER (PARTITION BY rt.requester_id ORDER BY rt.id ${backward ? 'ASC' : 'DESC'})`, 'rn')
        .andWhere('rt.requesterId IN (:...requesterIds)', { requesterIds: [...new Set(group.map((k) => k.requesterId))] });
      if (cursorId !== null) inner.andWhere(backward ? 'rt.id > :requestedCursor' : 'rt.id < :requestedCursor', { requestedCursor: cursorId });
      const rows = await em
        .createQueryBuilder(Ticket, 't')
        .where(`t.id IN (SELECT x.id FROM (${inner.getQuery()}) x WHERE x.rn <= :requestedTake)`)
        .setParameters({ ...inner.getParameters(), requestedTake: take })
        .orderBy('t.id', backward ? 'ASC' : 'DESC')
        .getMany();
      for (const k of group) results.set(`${k.requesterId}|${signature(k)}`, []);
      for (const t of rows) results.get(`${t.requesterId}|${signature(group[0])}`)?.push(t);
    }
    return keys.map((k) => results.get(`${k.requesterId}|${signature(k)}`) ?? []);
  }

  private async loadCounts(viewer: Viewer, requesterIds: readonly number[]): Promise<number[]> {
    const rows = await scopeVisibleTickets(this.db.manager.createQueryBuilder(Ticket, 't'), viewer)
      .select('t.requesterId', 'requesterId')
      .addSelect('COUNT(*)', 'n')
      .andWhere('t.requesterId IN (:...requesterIds)', { requesterIds: [...requesterIds] })
      .groupBy('t.requesterId')
      .getRawMany<{ requesterId: number | string; n: number | string }>();
    const counts = new Map(rows.map((r) => [Number(r.requesterId), Number(r.n)]));
    return requesterIds.map((id) => counts.get(id) ?? 0);
  }
}
