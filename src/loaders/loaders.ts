import DataLoader from 'dataloader';
import { In, MoreThan } from 'typeorm';
import type { Database } from '../db/database';
import { Category } from '../entities/category.entity';
import { CommentRevision } from '../entities/comment-revision.entity';
import { Tag } from '../entities/tag.entity';
import { TicketChange } from '../entities/ticket-change.entity';
import { TicketFile } from '../entities/ticket-file.entity';
import { TicketRead } from '../entities/ticket-read.entity';
import { SlaPolicy } from '../entities/sla-policy.entity';
import { TicketTag } from '../entities/ticket-tag.entity';
import { TicketUser, type TicketUserRole } from '../entities/ticket-user.entity';
import { Ticket } from '../entities/ticket.entity';
import { User } from '../entities/user.entity';
import type { ChangeType } from '../entities/ticket.enums';
import { EventDefinition } from '../entities/event-definition.entity';
import { Job } from '../entities/job.entity';
import { JobFile, type JobFileRole } from '../entities/job-file.entity';
import { TicketEvent } from '../entities/ticket-event.entity';

/** Keeps IN lists within what both databases plan well. */
const MAX_BATCH = 500;

export interface ChangePageKey {
  ticketId: number;
  backward: boolean;
  /** Rows to fetch per ticket (page size + 1, to learn whether another page exists). */
  take: number;
  cursorId: number | null;
  types: ChangeType[] | null;
}

export interface ChangeCountKey {
  ticketId: number;
  types: ChangeType[] | null;
}

/** All per-request loaders. Built fresh for every request so no cached row crosses users or requests. */
export interface Loaders {
  userById: DataLoader<number, User | null>;
  categoryById: DataLoader<number, Category | null>;
  tagById: DataLoader<number, Tag | null>;
  ticketById: DataLoader<number, Ticket | null>;
  /** By human number (federation references by number come in batches). */
  ticketByNumber: DataLoader<number, Ticket | null>;
  userByUsername: DataLoader<string, User | null>;
  ticketUsers: DataLoader<{ ticketId: number; role: TicketUserRole }, User[], string>;
  ticketTags: DataLoader<number, Tag[]>;
  changePage: DataLoader<ChangePageKey, TicketChange[], string>;
  changeCount: DataLoader<ChangeCountKey, number, string>;
  commentRevisions: DataLoader<number, CommentRevision[]>;
  slaPolicyById: DataLoader<number, SlaPolicy | null>;
  /** A user's read marker on a ticket. */
  ticketRead: DataLoader<{ userId: number; ticketId: number }, TicketRead | null, string>;
  /** Live (unexpired) files per ticket, oldest first. */
  ticketFiles: DataLoader<number, TicketFile[]>;
  eventById: DataLoader<number, EventDefinition | null>;
  jobById: DataLoader<number, Job | null>;
  /** Event stubs per ticket, in the order they were added. */
  ticketEvents: DataLoader<number, TicketEvent[]>;
  /** A job's input or output files (live ones). */
  jobFiles: DataLoader<{ jobId: number; role: JobFileRole }, TicketFile[], string>;
}

function byId<T extends { id: number }>(rows: T[], keys: readonly number[]): (T | null)[] {
  const map = new Map(rows.map((r) => [r.id, r]));
  return keys.map((k) => map.get(k) ?? null);
}

function groupBy<T, K>(rows: T[], keyOf: (row: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const row of rows) {
    const k = keyOf(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

const opts = { maxBatchSize: MAX_BATCH };

export function createLoaders(db: Database): Loaders {
  const em = db.manager;

  const entityLoader = <T extends { id: number }>(entity: new () => T) =>
    new DataLoader<number, T | null>(
      async (ids) => byId(await em.findBy(entity, { id: In([...ids]) } as never), ids),
      opts,
    );

  return {
    userById: entityLoader(User),
    categoryById: entityLoader(Category),
    tagById: entityLoader(Tag),
    ticketById: entityLoader(Ticket),
    ticketByNumber: new DataLoader(async (numbers) => {
      const rows = await em.findBy(Ticket, { number: In([...numbers]) });
      const map = new Map(rows.map((t) => [t.number, t]));
      return numbers.map((n) => map.get(n) ?? null);
    }, opts),
    userByUsername: new DataLoader(async (names) => {
      const rows = await em.findBy(User, { username: In([...names]) });
      const map = new Map(rows.map((u) => [u.username, u]));
      return names.map((n) => map.get(n) ?? null);
    }, opts),

    ticketUsers: new DataLoader(
      async (keys) => {
        const ticketIds = [...new Set(keys.map((k) => k.ticketId))];
        const roles = [...new Set(keys.map((k) => k.role))];
        const links = await em
          .createQueryBuilder(TicketUser, 'tu')
          .innerJoinAndSelect('tu.user', 'u')
          .where('tu.ticketId IN (:...ticketIds)', { ticketIds })
          .andWhere('tu.role IN (:...roles)', { roles })
          .orderBy('tu.position', 'ASC')
          .getMany();
        const grouped = groupBy(links, (l) => `${l.ticketId}:${l.role}`);
        return keys.map((k) => (grouped.get(`${k.ticketId}:${k.role}`) ?? []).map((l) => l.user as User));
      },
      { ...opts, cacheKeyFn: (k) => `${k.ticketId}:${k.role}` },
    ),

    ticketTags: new DataLoader(async (ticketIds) => {
      const links = await em
        .createQueryBuilder(TicketTag, 'tt')
        .innerJoinAndSelect('tt.tag', 'tag')
        .where('tt.ticketId IN (:...ticketIds)', { ticketIds: [...ticketIds] })
        .orderBy('tt.position', 'ASC')
        .getMany();
      const grouped = groupBy(links, (l) => l.ticketId);
      return ticketIds.map((id) => (grouped.get(id) ?? []).map((l) => l.tag as Tag));
    }, opts),

    // One statement for the first/last N history entries of every ticket in the batch: a window
    // function numbers each ticket's rows, so the page size applies per ticket.
    changePage: new DataLoader(
      async (keys) => {
        const groups = groupBy([...keys], (k) => pageSignature(k));
        const results = new Map<string, TicketChange[]>();
        for (const group of groups.values()) {
          const { backward, take, cursorId, types } = group[0];
          const ticketIds = group.map((k) => k.ticketId);
          const conditions = ['c2.ticket_id IN (:...ticketIds)'];
          if (types) conditions.push('c2.type IN (:...types)');
          if (cursorId !== null) conditions.push(backward ? 'c2.id < :cursorId' : 'c2.id > :cursorId');
          const rows = await em
            .createQueryBuilder(TicketChange, 'c')
            .where(
              `c.id IN (SELECT x.id FROM (SELECT c2.id, ROW_NUMBER() OVER (PARTITION BY c2.ticket_id ORDER BY c2.id ${backward ? 'DESC' : 'ASC'}) AS rn ` +
                `FROM ticket_change c2 WHERE ${conditions.join(' AND ')}) x WHERE x.rn <= :take)`,
              { ticketIds, types: types ?? undefined, cursorId, take },
            )
            .orderBy('c.id', backward ? 'DESC' : 'ASC')
            .getMany();
          const grouped = groupBy(rows, (r) => r.ticketId);
          for (const k of group) results.set(changeKey(k), grouped.get(k.ticketId) ?? []);
        }
        return keys.map((k) => results.get(changeKey(k)) ?? []);
      },
      { ...opts, cacheKeyFn: changeKey },
    ),

    changeCount: new DataLoader(
      async (keys) => {
        const groups = groupBy([...keys], (k) => JSON.stringify(k.types));
        const counts = new Map<string, number>();
        for (const group of groups.values()) {
          const qb = em
            .createQueryBuilder(TicketChange, 'c')
            .select('c.ticketId', 'ticketId')
            .addSelect('COUNT(*)', 'n')
            .where('c.ticketId IN (:...ticketIds)', { ticketIds: group.map((k) => k.ticketId) })
            .groupBy('c.ticketId');
          if (group[0].types) qb.andWhere('c.type IN (:...types)', { types: group[0].types });
          for (const row of await qb.getRawMany<{ ticketId: number; n: number | string }>()) {
            counts.set(countKey({ ticketId: Number(row.ticketId), types: group[0].types }), Number(row.n));
          }
        }
        return keys.map((k) => counts.get(countKey(k)) ?? 0);
      },
      { ...opts, cacheKeyFn: countKey },
    ),

    commentRevisions: new DataLoader(async (changeIds) => {
      const rows = await em.find(CommentRevision, { where: { changeId: In([...changeIds]) }, order: { id: 'ASC' } });
      const grouped = groupBy(rows, (r) => r.changeId);
      return changeIds.map((id) => grouped.get(id) ?? []);
    }, opts),
    slaPolicyById: new DataLoader(async (ids) => byId(await em.findBy(SlaPolicy, { id: In([...ids]) }), ids), opts),
    ticketRead: new DataLoader(
      async (keys) => {
        const rows = await em.find(TicketRead, { where: keys.map((k) => ({ userId: k.userId, ticketId: k.ticketId })) });
        const map = new Map(rows.map((r) => [`${r.userId}:${r.ticketId}`, r]));
        return keys.map((k) => map.get(`${k.userId}:${k.ticketId}`) ?? null);
      },
      { ...opts, cacheKeyFn: (k) => `${k.userId}:${k.ticketId}` },
    ),
    ticketFiles: new DataLoader(async (ticketIds) => {
      const rows = await em.find(TicketFile, { where: { ticketId: In([...ticketIds]), expiresAt: MoreThan(new Date()) }, order: { id: 'ASC' } });
      const grouped = groupBy(rows, (r) => r.ticketId);
      return ticketIds.map((id) => grouped.get(id) ?? []);
    }, opts),
    eventById: entityLoader(EventDefinition),
    jobById: entityLoader(Job),
    ticketEvents: new DataLoader(async (ticketIds) => {
      const rows = await em.find(TicketEvent, { where: { ticketId: In([...ticketIds]) }, order: { id: 'ASC' } });
      const grouped = groupBy(rows, (r) => r.ticketId);
      return ticketIds.map((id) => grouped.get(id) ?? []);
    }, opts),
    jobFiles: new DataLoader(
      async (keys) => {
        const links = await em.findBy(JobFile, { jobId: In([...new Set(keys.map((k) => k.jobId))]) });
        const files = links.length ? await em.find(TicketFile, { where: { id: In([...new Set(links.map((l) => l.fileId))]), expiresAt: MoreThan(new Date()) }, order: { id: 'ASC' } }) : [];
        const byFileId = new Map(files.map((f) => [f.id, f]));
        const grouped = groupBy(links, (l) => `${l.jobId}:${l.role}`);
        return keys.map((k) => (grouped.get(`${k.jobId}:${k.role}`) ?? []).map((l) => byFileId.get(l.fileId)).filter((f): f is TicketFile => f !== undefined).sort((a, b) => a.id - b.id));
      },
      { ...opts, cacheKeyFn: (k) => `${k.jobId}:${k.role}` },
    ),
  };
}

function pageSignature(k: ChangePageKey): string {
  return JSON.stringify([k.backward, k.take, k.cursorId, k.types]);
}

function changeKey(k: ChangePageKey): string {
  return `${k.ticketId}|${pageSignature(k)}`;
}

function countKey(k: ChangeCountKey): string {
  return `${k.ticketId}|${JSON.stringify(k.types)}`;
}

