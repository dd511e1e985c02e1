import DataLoaderClass from 'dataloader';

type DataLoader<K, V, C = K> = DataLoaderClass<K, V, C>;
type DataLoaderBatch<K, V> = (keys: readonly K[]) => PromiseLike<ArrayLike<V | Error>>;
type DataLoaderOptions<K, V, C> = DataLoaderClass.Options<K, V, C>;
import { In, MoreThan } from 'typeorm';
import type { Database } from '../db/database';
import { placeholders } from '../db/entity-rows';
import { Category } from '../entities/category.entity';
import { CommentRevision } from '../entities/comment-revision.entity';
import { Tag } from '../entities/tag.entity';
import { CommentVisibility } from '../entities/comment-visibility.enum';
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
import { TicketFieldValue } from '../entities/ticket-field-value.entity';

/** Keeps IN lists within what both databases plan well. */
const MAX_BATCH = 500;

export interface ChangePageKey {
  ticketId: number;
  backward: boolean;
  /** Rows to fetch per ticket (page size + 1, to learn whether another page exists). */
  take: number;
  cursorId: number | null;
  types: ChangeType[] | null;
  /** Only entries of this visibility (null: all); see ChangeService.page. */
  visibility?: CommentVisibility | null;
}

export interface JobPageKey {
  ticketId: number;
  backward: boolean;
  take: number;
  cursorId: number | null;
}

export interface ChangeCountKey {
  ticketId: number;
  types: ChangeType[] | null;
  visibility?: CommentVisibility | null;
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
  /** Custom field value rows per ticket (USER rows with their user joined). */
  ticketFieldValues: DataLoader<number, TicketFieldValue[]>;
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
  changeById: DataLoader<number, TicketChange | null>;
  /** Event stubs per ticket, in the order they were added. */
  ticketEvents: DataLoader<number, TicketEvent[]>;
  /** Pages of jobs per ticket, newest first (one statement for every ticket of a list). */
  jobPage: DataLoader<JobPageKey, Job[], string>;
  jobCount: DataLoader<number, number>;
  /** A job's input or output files (live ones). */
  jobFiles: DataLoader<{ jobId: number; role: JobFileRole }, TicketFile[], string>;
  /**
   * A user this request has already loaded (the caller, change authors joined into a history
   * page, earlier userById results), or undefined. Lets hot resolvers such as change.author answer
   * synchronously: a thousand pending promises cost GraphQL more than the rows did.
   */
  knownUser(id: number): User | undefined;
  /** Puts a user row in both userById and knownUser. */
  primeUser(user: User): void;
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

export interface LoaderOptions {
  /**
   * false (DATALOADERS=off, benchmarks only): every loader fetches each key with its own statement,
   * the naive N+1 resolvers that the batching exists to avoid. The per-request cache stays.
   */
  batching?: boolean;
  /** Called with the number of keys of every batch a loader runs (metrics, tracing). */
  observeBatch?: <T>(loader: string, keys: number, run: () => Promise<T>) => Promise<T>;
}

export function createLoaders(db: Database, options: LoaderOptions = {}): Loaders {
  const em = db.manager;
  const opts = { maxBatchSize: options.batching === false ? 1 : MAX_BATCH };
  const observe = options.observeBatch;
  // Wraps each batch function under its loader's name, so metrics and spans say which loader ran.
  const DataLoader = function <K, V, C = K>(name: string, fn: DataLoaderBatch<K, V>, o: DataLoaderOptions<K, V, C>) {
    return new DataLoaderClass<K, V, C>(observe ? (keys) => observe(name, keys.length, async () => fn(keys)) : fn, o);
  };

  // Hot, fixed-shape reads are plain SQL text mapped to the entities (db/entity-rows.ts): TypeORM's
  // query building and hydration cost more CPU than the database's answer (bench/RESULTS.md, issue 21).
  const byColumn = async <T extends object>(entity: new () => T, property: string, values: readonly unknown[]): Promise<T[]> => {
    const r = db.rows(entity, 'e');
    return r.mapAll(await em.query(`SELECT ${r.select} FROM ${r.table} e WHERE ${r.col(property)} IN (${placeholders(values.length)})`, [...values]));
  };
  const entityLoader = <T extends { id: number }>(name: string, entity: new () => T) =>
    DataLoader<number, T | null>(
      name,
      async (ids) => byId(await byColumn(entity, 'id', ids), ids),
      opts,
    );

  const knownUsers = new Map<number, User>();
  const userById = DataLoader<number, User | null>(
    'userById',
    async (ids) => {
      const rows = await byColumn(User, 'id', ids);
      for (const u of rows) knownUsers.set(u.id, u);
      return byId(rows, ids);
    },
    opts,
  );
  const primeUser = (user: User) => {
    if (knownUsers.has(user.id)) return;
    knownUsers.set(user.id, user);
    userById.prime(user.id, user);
  };

  return {
    knownUser: (id) => knownUsers.get(id),
    primeUser,
    userById,
    categoryById: entityLoader('categoryById', Category),
    tagById: entityLoader('tagById', Tag),
    ticketById: entityLoader('ticketById', Ticket),
    ticketByNumber: DataLoader('ticketByNumber', async (numbers) => {
      const rows = await byColumn(Ticket, 'number', numbers);
      const map = new Map(rows.map((t) => [t.number, t]));
      return numbers.map((n) => map.get(n) ?? null);
    }, opts),
    userByUsername: DataLoader('userByUsername', async (names) => {
      const rows = await em.findBy(User, { username: In([...names]) });
      const map = new Map(rows.map((u) => [u.username, u]));
      return names.map((n) => map.get(n) ?? null);
    }, opts),

    ticketUsers: DataLoader('ticketUsers',
      async (keys) => {
        const ticketIds = [...new Set(keys.map((k) => k.ticketId))];
        const roles = [...new Set(keys.map((k) => k.role))];
        const tu = db.rows(TicketUser, 'tu');
        const u = db.rows(User, 'u');
        const rows: Record<string, unknown>[] = await em.query(
          `SELECT ${tu.col('ticketId')} AS tu_ticket_id, ${tu.col('role')} AS tu_role, ${u.select} FROM ${tu.table} tu INNER JOIN ${u.table} u ON ${u.col('id')} = ${tu.col('userId')} ` +
            `WHERE ${tu.col('ticketId')} IN (${placeholders(ticketIds.length)}) AND ${tu.col('role')} IN (${placeholders(roles.length)}) ORDER BY ${tu.col('position')} ASC`,
          [...ticketIds, ...roles],
        );
        const grouped = groupBy(rows, (r) => `${Number(r.tu_ticket_id)}:${String(r.tu_role)}`);
        return keys.map((k) => (grouped.get(`${k.ticketId}:${k.role}`) ?? []).map((r) => u.map(r) as User));
      },
      { ...opts, cacheKeyFn: (k) => `${k.ticketId}:${k.role}` },
    ),

    ticketTags: DataLoader('ticketTags', async (ticketIds) => {
      const links = await em
        .createQueryBuilder(TicketTag, 'tt')
        .innerJoinAndSelect('tt.tag', 'tag')
        .where('tt.ticketId IN (:...ticketIds)', { ticketIds: [...ticketIds] })
        .orderBy('tt.position', 'ASC')
        .getMany();
      const grouped = groupBy(links, (l) => l.ticketId);
      return ticketIds.map((id) => (grouped.get(id) ?? []).map((l) => l.tag as Tag));
    }, opts),

    ticketFieldValues: DataLoader('ticketFieldValues', async (ticketIds) => {
      const rows = await em
        .createQueryBuilder(TicketFieldValue, 'v')
        .leftJoinAndSelect('v.valueUser', 'u')
        .where('v.ticketId IN (:...ticketIds)', { ticketIds: [...ticketIds] })
        .orderBy('v.id', 'ASC')
        .getMany();
      const grouped = groupBy(rows, (r) => r.ticketId);
      return ticketIds.map((id) => grouped.get(id) ?? []);
    }, opts),

    // One statement for the first/last N history entries of every ticket in the batch: a window
    // function numbers each ticket's rows, so the page size applies per ticket.
    changePage: DataLoader('changePage',
      async (keys) => {
        const groups = groupBy([...keys], (k) => pageSignature(k));
        const results = new Map<string, TicketChange[]>();
        for (const group of groups.values()) {
          const { backward, take, cursorId, types, visibility } = group[0];
          const ticketIds = group.map((k) => k.ticketId);
          const c = db.rows(TicketChange, 'c');
          const author = db.rows(User, 'author');
          const params: unknown[] = [...ticketIds];
          const conditions = [`t2.ticket_id IN (${placeholders(ticketIds.length)})`];
          if (types) {
            conditions.push(`t2.type IN (${placeholders(types.length)})`);
            params.push(...types);
          }
          if (visibility) {
            conditions.push('t2.visibility = ?');
            params.push(visibility);
          }
          if (cursorId !== null) {
            conditions.push(backward ? 't2.id < ?' : 't2.id > ?');
            params.push(cursorId);
          }
          params.push(take);
          // History is shown with its authors: the join answers change.author from the same
          // statement (primed below) instead of a second round trip for the users.
          const raw: Record<string, unknown>[] = await em.query(
            `SELECT ${c.select}, ${author.select} FROM ${c.table} c LEFT JOIN ${author.table} author ON ${author.col('id')} = ${c.col('authorId')} ` +
              `WHERE ${c.col('id')} IN ${pagePerTicketSql(c.table, backward, conditions)} ORDER BY ${c.col('id')} ${backward ? 'DESC' : 'ASC'}`,
            params,
          );
          const rows: TicketChange[] = [];
          for (const r of raw) {
            // Most entries share a few authors: build each author's entity once per request, not per row.
            const authorId = author.idOf(r);
            if (authorId == null || !knownUsers.has(Number(authorId))) {
              const a = author.map(r);
              if (a) primeUser(a);
            }
            rows.push(c.map(r)!); // the entity keeps only authorId, as when loaded without the join
          }
          const grouped = groupBy(rows, (r) => r.ticketId);
          for (const k of group) results.set(changeKey(k), grouped.get(k.ticketId) ?? []);
        }
        return keys.map((k) => results.get(changeKey(k)) ?? []);
      },
      { ...opts, cacheKeyFn: changeKey },
    ),

    changeCount: DataLoader('changeCount',
      async (keys) => {
        const groups = groupBy([...keys], (k) => JSON.stringify([k.types, k.visibility ?? null]));
        const counts = new Map<string, number>();
        for (const group of groups.values()) {
          const qb = em
            .createQueryBuilder(TicketChange, 'c')
            .select('c.ticketId', 'ticketId')
            .addSelect('COUNT(*)', 'n')
            .where('c.ticketId IN (:...ticketIds)', { ticketIds: group.map((k) => k.ticketId) })
            .groupBy('c.ticketId');
          if (group[0].types) qb.andWhere('c.type IN (:...types)', { types: group[0].types });
          if (group[0].visibility) qb.andWhere('c.visibility = :visibility', { visibility: group[0].visibility });
          for (const row of await qb.getRawMany<{ ticketId: number; n: number | string }>()) {
            counts.set(countKey({ ticketId: Number(row.ticketId), types: group[0].types, visibility: group[0].visibility }), Number(row.n));
          }
        }
        return keys.map((k) => counts.get(countKey(k)) ?? 0);
      },
      { ...opts, cacheKeyFn: countKey },
    ),

    commentRevisions: DataLoader('commentRevisions', async (changeIds) => {
      const rows = await em.find(CommentRevision, { where: { changeId: In([...changeIds]) }, order: { id: 'ASC' } });
      const grouped = groupBy(rows, (r) => r.changeId);
      return changeIds.map((id) => grouped.get(id) ?? []);
    }, opts),
    slaPolicyById: DataLoader('slaPolicyById', async (ids) => byId(await em.findBy(SlaPolicy, { id: In([...ids]) }), ids), opts),
    ticketRead: DataLoader('ticketRead',
      async (keys) => {
        const rows = await em.find(TicketRead, { where: keys.map((k) => ({ userId: k.userId, ticketId: k.ticketId })) });
        const map = new Map(rows.map((r) => [`${r.userId}:${r.ticketId}`, r]));
        return keys.map((k) => map.get(`${k.userId}:${k.ticketId}`) ?? null);
      },
      { ...opts, cacheKeyFn: (k) => `${k.userId}:${k.ticketId}` },
    ),
    ticketFiles: DataLoader('ticketFiles', async (ticketIds) => {
      const rows = await em.find(TicketFile, { where: { ticketId: In([...ticketIds]), expiresAt: MoreThan(new Date()) }, order: { id: 'ASC' } });
      const grouped = groupBy(rows, (r) => r.ticketId);
      return ticketIds.map((id) => grouped.get(id) ?? []);
    }, opts),
    eventById: entityLoader('eventById', EventDefinition),
    jobById: entityLoader('jobById', Job),
    changeById: entityLoader('changeById', TicketChange),
    ticketEvents: DataLoader('ticketEvents', async (ticketIds) => {
      const rows = await em.find(TicketEvent, { where: { ticketId: In([...ticketIds]) }, order: { id: 'ASC' } });
      const grouped = groupBy(rows, (r) => r.ticketId);
      return ticketIds.map((id) => grouped.get(id) ?? []);
    }, opts),
    jobPage: DataLoader('jobPage',
      async (keys) => {
        const results = new Map<string, Job[]>();
        for (const group of groupBy([...keys], jobPageSignature).values()) {
          const { backward, take, cursorId } = group[0];
          // Newest first: the page order is the reverse of the history's.
          const rows = await em
            .createQueryBuilder(Job, 'j')
            .where(`j.id IN ${pagePerTicket('job', { backward: !backward, cursorId }, [])}`, { ticketIds: group.map((k) => k.ticketId), cursorId, take })
            .orderBy('j.id', backward ? 'ASC' : 'DESC')
            .getMany();
          const grouped = groupBy(rows, (r) => r.ticketId);
          for (const k of group) results.set(jobKey(k), grouped.get(k.ticketId) ?? []);
        }
        return keys.map((k) => results.get(jobKey(k)) ?? []);
      },
      { ...opts, cacheKeyFn: jobKey },
    ),
    jobCount: DataLoader('jobCount', async (ticketIds) => {
      const rows = await em.createQueryBuilder(Job, 'j').select('j.ticketId', 'ticketId').addSelect('COUNT(*)', 'n').where('j.ticketId IN (:...ticketIds)', { ticketIds: [...ticketIds] }).groupBy('j.ticketId').getRawMany<{ ticketId: number; n: number | string }>();
      const counts = new Map(rows.map((r) => [Number(r.ticketId), Number(r.n)]));
      return ticketIds.map((id) => counts.get(id) ?? 0);
    }, opts),
    jobFiles: DataLoader('jobFiles',
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

/**
 * "(ids of the first :take rows of each ticket in :ticketIds, by id, after :cursorId)": a window
 * function numbers each ticket's rows, so the page size applies per ticket in one statement.
 */
function pagePerTicket(table: string, page: { backward: boolean; cursorId: number | null }, extra: string[]): string {
  const conditions = ['t2.ticket_id IN (:...ticketIds)', ...extra];
  if (page.cursorId !== null) conditions.push(page.backward ? 't2.id < :cursorId' : 't2.id > :cursorId');
  return (
    `(SELECT x.id FROM (SELECT t2.id, ROW_NUMBER() OVER (PARTITION BY t2.ticket_id ORDER BY t2.id ${page.backward ? 'DESC' : 'ASC'}) AS rn ` +
    `FROM ${table} t2 WHERE ${conditions.join(' AND ')}) x WHERE x.rn <= :take)`
  );
}

/** pagePerTicket as plain SQL text with positional parameters (the conditions on t2, then the page size). */
function pagePerTicketSql(table: string, backward: boolean, conditions: string[]): string {
  return (
    `(SELECT x.id FROM (SELECT t2.id, ROW_NUMBER() OVER (PARTITION BY t2.ticket_id ORDER BY t2.id ${backward ? 'DESC' : 'ASC'}) AS rn ` +
    `FROM ${table} t2 WHERE ${conditions.join(' AND ')}) x WHERE x.rn <= ?)`
  );
}

function jobPageSignature(k: JobPageKey): string {
  return JSON.stringify([k.backward, k.take, k.cursorId]);
}

function jobKey(k: JobPageKey): string {
  return `${k.ticketId}|${jobPageSignature(k)}`;
}

function pageSignature(k: ChangePageKey): string {
  return JSON.stringify([k.backward, k.take, k.cursorId, k.types, k.visibility ?? null]);
}

function changeKey(k: ChangePageKey): string {
  return `${k.ticketId}|${pageSignature(k)}`;
}

function countKey(k: ChangeCountKey): string {
  return `${k.ticketId}|${JSON.stringify([k.types, k.visibility ?? null])}`;
}

