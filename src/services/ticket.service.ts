import type { EntityManager } from 'typeorm';
import type { AppConfig } from '../config/config';
import type { Database } from '../db/database';
import { affectedRows } from '../db/database';
import { badUserInput, forbidden, notFound } from '../common/errors';
import { Category } from '../entities/category.entity';
import { TicketSequence } from '../entities/ticket-sequence.entity';
import { TicketTag } from '../entities/ticket-tag.entity';
import { TicketUser, TicketUserRole } from '../entities/ticket-user.entity';
import { Ticket } from '../entities/ticket.entity';
import { ChangeType, DONE_STATUSES, enumName, humanize, Privilege, TicketPriority, TicketStatus, TicketType, TrackedField } from '../entities/ticket.enums';
import type { Tag } from '../entities/tag.entity';
import type { RequestContext, Viewer } from '../graphql/context';
import type { ConnectionArgs } from '../graphql/args/connection.args';
import type { Page } from '../graphql/types/connection.factory';
import { parseTicketRef, toGlobalId } from '../graphql/global-id';
import type { TicketCreateInput } from '../graphql/inputs/ticket-create.input';
import type { TicketOrder } from '../graphql/inputs/ticket-order.input';
import type { TicketUpdateInput } from '../graphql/inputs/ticket-update.input';
import { userError, UserErrorCode, type UserError } from '../graphql/types/user-error.type';
import { canSeeTicket, isAdmin, requirePrivilege, requireViewer, scopeVisibleTickets } from './access';
import { TicketRead } from '../entities/ticket-read.entity';
import { sqlDateTime } from '../db/column-types';
import { conflictError, VersionConflict, type ChangeService } from './change.service';
import { buildPage, pageRequest } from './pagination';
import { diffTickets, type TicketSnapshot } from './ticket-diff';
import type { NormalizedTicketFields, TicketInputValidator } from './ticket-input.validator';
import { TicketOrdering } from './ticket-order';
import type { SearchIndex } from '../search/search-index';
import type { FileService } from './file.service';
import type { NotificationService } from './notification.service';
import type { SlaService } from './sla.service';
import { UserGroup } from '../entities/user-group.entity';
import { GroupMember } from '../entities/group-member.entity';
import { canTransition, type Workflow } from '../config/workflow';
import { User } from '../entities/user.entity';
import { TicketFilterCompiler } from '../search/ticket-filter.compiler';
import type { TicketOriginKind } from '../entities/job.enums';
import { parseTicketQuery } from '../search/ticket-query.parser';
import type { TicketFilter } from '../graphql/inputs/ticket-filter.input';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';

export const TICKET_SEQUENCE = 'ticket';

/** Names and types of uploads (not their bytes), for comparing a retried request with the first. */
async function uploadNames(files: Promise<FileUpload>[] | null | undefined): Promise<{ name: string | null; type: string | null }[]> {
  return Promise.all((files ?? []).map((p) => p.then((u) => ({ name: u.filename ?? null, type: u.mimetype ?? null }), () => ({ name: null, type: null }))));
}

export interface TicketSearch {
  /** Admins only: soft-deleted tickets too. */
  includeDeleted?: boolean | null;
  query?: string | null;
  filter?: TicketFilter | null;
  orderBy?: TicketOrder[] | null;
  /** Tickets a job or an alert opened (Alert.tickets, Job.tickets). */
  origin?: TicketOrigin | null;
}

/** Where a ticket came from when a job or an alert opened it. */
export interface TicketOrigin {
  kind: TicketOriginKind;
  id: string;
  data?: Record<string, string | number | null> | null;
}

/** What a workflow action adds to an update (see TicketWorkflowService). */
export interface UpdateAction {
  set?: Partial<Pick<Ticket, 'resolution' | 'resolvedAt' | 'resolvedById'>>;
  after?: (em: EntityManager, ticket: Ticket, at: Date) => Promise<void>;
}

export interface TicketResult {
  ticket: Ticket | null;
  userErrors: UserError[];
}

export interface TicketDeleteResult {
  deletedId: string | null;
  userErrors: UserError[];
}

interface TicketLinks {
  category: Category | null;
  tags: Tag[];
  assignees: User[];
  cc: User[];
}

/** Tickets: reads with visibility rules, and every write in one transaction with its history. */
export class TicketService {
  constructor(
    private readonly db: Database,
    private readonly limits: AppConfig['limits'],
    private readonly validator: TicketInputValidator,
    private readonly changes: ChangeService,
    private readonly searchIndex: SearchIndex,
    private readonly files: FileService,
    private readonly notifications: NotificationService,
    private readonly workflow: Workflow,
    private readonly sla: SlaService,
  ) {}

  // ---- reads ----

  /** A ticket by global id or number, or null when it does not exist or the viewer may not see it. */
  async find(ctx: RequestContext, ref: { id?: string | null; number?: number | null }): Promise<Ticket | null> {
    requireViewer(ctx);
    if (ref.id != null) {
      const parsed = parseTicketRef(ref.id);
      if (!parsed) return null;
      return parsed.by === 'id' ? this.findVisibleById(ctx, parsed.id) : this.findVisibleByNumber(ctx, parsed.number);
    }
    if (ref.number != null) return this.findVisibleByNumber(ctx, ref.number);
    return null;
  }

  async findVisibleById(ctx: RequestContext, id: number, opts: { includeDeleted?: boolean } = {}): Promise<Ticket | null> {
    const viewer = requireViewer(ctx);
    const ticket = await ctx.loaders.ticketById.load(id);
    return ticket && canSeeTicket(viewer, ticket, opts) ? ticket : null;
  }

  private async findVisibleByNumber(ctx: RequestContext, number: number, opts: { includeDeleted?: boolean } = {}): Promise<Ticket | null> {
    const viewer = requireViewer(ctx);
    if (!Number.isSafeInteger(number) || number < 1) return null;
    const ticket = await ctx.loaders.ticketByNumber.load(number);
    if (!ticket) return null;
    ctx.loaders.ticketById.prime(ticket.id, ticket);
    return canSeeTicket(viewer, ticket, opts) ? ticket : null;
  }

  /**
   * A federation reference (`Ticket @key(fields: "id")` or `@key(fields: "number")`): the same
   * visibility as a direct read, batched through the loaders (one statement per key kind).
   */
  resolveReference(ctx: RequestContext, ref: { id?: string; number?: number }): Promise<Ticket | null> {
    return this.find(ctx, { id: ref.id ?? null, number: ref.number ?? null });
  }

  /** For mutations: the target ticket, or a NOT_FOUND error that does not reveal whether it exists. */
  async requireTicket(ctx: RequestContext, ref: string | number, opts: { includeDeleted?: boolean } = {}): Promise<Ticket> {
    let ticket: Ticket | null = null;
    if (typeof ref === 'number') ticket = await this.findVisibleById(ctx, ref, opts);
    else {
      const parsed = parseTicketRef(ref);
      if (parsed) ticket = parsed.by === 'id' ? await this.findVisibleById(ctx, parsed.id, opts) : await this.findVisibleByNumber(ctx, parsed.number, opts);
    }
    if (!ticket) throw notFound(`No ticket ${typeof ref === 'number' ? toGlobalId('Ticket', ref) : ref}`);
    return ticket;
  }

  /** Tickets in request order; null for ids that are malformed, missing or not visible. */
  async findMany(ctx: RequestContext, ids: string[]): Promise<(Ticket | null)[]> {
    requireViewer(ctx);
    if (ids.length > this.limits.pageSizeMax) throw badUserInput(`At most ${this.limits.pageSizeMax} ids per request`);
    return Promise.all(ids.map((id) => this.find(ctx, { id })));
  }

  /**
   * A page of visible tickets matching a query (the query language) and a typed filter, ANDed.
   * totalCount runs the same conditions as one COUNT when asked for.
   */
  async list(ctx: RequestContext, args: ConnectionArgs & TicketSearch): Promise<Page<Ticket>> {
    const viewer = requireViewer(ctx);
    if (args.includeDeleted && !isAdmin(viewer)) throw forbidden('Only admins list deleted tickets');
    const req = pageRequest(args, this.limits);
    const ordering = new TicketOrdering(args.orderBy);
    const parsed = args.query ? this.parseQuery(ctx, args.query) : null;
    const base = scopeVisibleTickets(this.db.manager.createQueryBuilder(Ticket, 't'), viewer, 't', { includeDeleted: args.includeDeleted === true });
    const compiler = new TicketFilterCompiler(base, this.db.dialect);
    compiler.apply(parsed);
    compiler.apply(args.filter);
    if (args.origin) base.andWhere('t.originKind = :originKind AND t.originId = :originId', { originKind: args.origin.kind, originId: args.origin.id });
    const countQb = base.clone();
    ordering.apply(base, 't', req.cursor, req.backward);
    // Deferred join: the filter, sort and LIMIT run over ids in a derived table, then only the page's
    // rows are read whole. Sorting whole rows (bodies of a KB and more) made MariaDB's filesort of
    // "status:open tags:x" cost twice as much as the search itself (bench/RESULTS.md, W3a).
    const ids = base.select('t.id', 'id').limit(req.limit + 1);
    const page = this.db.manager
      .createQueryBuilder(Ticket, 't')
      .innerJoin(`(${ids.getQuery()})`, 'p', 'p.id = t.id')
      .setParameters(ids.getParameters());
    ordering.apply(page, 't', null, req.backward);
    const rows = await page.getMany();
    for (const t of rows) ctx.loaders.ticketById.prime(t.id, t);
    return { ...buildPage(rows, req, (t) => ordering.cursorOf(t)), count: () => countQb.getCount() };
  }

  /** The query language parsed for this caller (@me) at this moment (today, now). */
  parseQuery(ctx: RequestContext, query: string): TicketFilter | null {
    const viewer = requireViewer(ctx);
    return parseTicketQuery(query, { now: new Date(), username: viewer.user.username });
  }

  // ---- read state ----

  /** Marks the ticket read by the caller at its current version. */
  async markRead(ctx: RequestContext, id: string): Promise<TicketResult> {
    const viewer = requireViewer(ctx);
    const ticket = await this.requireTicket(ctx, id);
    const params = [viewer.user.id, ticket.id, ticket.version, sqlDateTime(new Date())];
    const upsert =
      this.db.dialect === 'sqlite'
        ? 'ON CONFLICT(user_id, ticket_id) DO UPDATE SET read_version = MAX(read_version, excluded.read_version), read_at = excluded.read_at'
        : 'ON DUPLICATE KEY UPDATE read_version = GREATEST(read_version, VALUES(read_version)), read_at = VALUES(read_at)';
    await this.db.manager.query(`INSERT INTO ticket_read (user_id, ticket_id, read_version, read_at) VALUES (?, ?, ?, ?) ${upsert}`, params);
    ctx.loaders.ticketRead.clear({ userId: viewer.user.id, ticketId: ticket.id });
    return { ticket, userErrors: [] };
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
    const qb = scopeVisibleTickets(this.db.manager.createQueryBuilder(Ticket, 't'), viewer);
    qb.andWhere(
      (q) => `(t.creatorId = :me OR t.requesterId = :me OR t.id IN ${q.subQuery().select('tu.ticketId').from(TicketUser, 'tu').where('tu.userId = :me').getQuery()})`,
      { me },
    );
    qb.andWhere('(t.lastActorId IS NULL OR t.lastActorId <> :me)');
    qb.andWhere((q) => `NOT EXISTS ${q.subQuery().select('1').from(TicketRead, 'r').where('r.ticketId = t.id AND r.userId = :me AND r.readVersion >= t.version').getQuery()}`);
    return qb.getCount();
  }

  // ---- writes ----

  /** Idempotent with input.clientMutationId (see idempotency.service.ts). */
  async create(ctx: RequestContext, input: TicketCreateInput, origin: TicketOrigin | null = null): Promise<TicketResult> {
    const viewer = requirePrivilege(ctx, Privilege.CREATE_TICKETS);
    const { clientMutationId, files, ...fields } = input;
    return ctx.services.idempotency.execute<{ ticketId: number }, TicketResult>(ctx, {
      operation: 'ticketCreate',
      clientMutationId,
      // Files are compared by name and type: their bytes are read only when the ticket is created.
      input: clientMutationId ? { ...fields, files: await uploadNames(files) } : null,
      apply: (record) => this.createOnce(ctx, viewer, input, record, origin),
      replay: async ({ ticketId }) => ({ ticket: await this.findVisibleById(ctx, ticketId), userErrors: [] }),
      refuse: (error) => ({ ticket: null, userErrors: [error] }),
    });
  }

  private async createOnce(
    ctx: RequestContext,
    viewer: Viewer,
    input: TicketCreateInput,
    record: (em: EntityManager, result: { ticketId: number }) => Promise<void>,
    origin: TicketOrigin | null,
  ): Promise<TicketResult> {
    const checked = await this.validator.validate(this.db.manager, viewer, {
      subject: input.subject,
      body: input.body ?? '',
      category: input.category ?? null,
      tags: input.tags ?? [],
      server: input.server ?? null,
      assignees: input.assignees ?? [],
      cc: input.cc ?? [],
      notify: input.notify ?? [],
      due: input.due ?? null,
    });
    if (!checked.ok) return { ticket: null, userErrors: checked.errors };
    const f = checked.value as Required<NormalizedTicketFields>;
    let requesterId = viewer.user.id;
    if (input.requester != null) {
      const requester = await this.db.manager.findOneBy(User, { username: input.requester.trim().toLowerCase(), active: true });
      if (!requester) return { ticket: null, userErrors: [userError(['input', 'requester'], UserErrorCode.NOT_FOUND, `No active user ${input.requester}`)] };
      requesterId = requester.id;
    }
    const staged = input.files?.length ? await this.files.stage(input.files, ['input', 'files']) : { ok: true as const, files: [] };
    if (!staged.ok) return { ticket: null, userErrors: staged.errors };
    const now = new Date();
    const status = input.status ?? this.workflow.initial;
    // Files are made final before the transaction: no lock (the ticket number's) waits on storage.
    const stored = await this.files.store(staged.files, now);

    const ticket = await this.db.transaction(async (em) => {
      const number = await this.nextNumber(em);
      const ticket = em.create(Ticket, {
        number,
        subject: f.subject,
        body: f.body,
        type: input.type ?? TicketType.ISSUE,
        status,
        priority: input.priority ?? TicketPriority.NORMAL,
        categoryId: f.category?.id ?? null,
        server: f.server,
        notify: f.notify,
        due: f.due,
        creatorId: viewer.user.id,
        requesterId,
        lastActorId: viewer.user.id,
        dueManual: f.due !== null,
        createdAt: now,
        updatedAt: now,
        closedAt: status === TicketStatus.CLOSED ? now : null,
        deletedAt: null,
        version: 1,
        originKind: origin?.kind ?? null,
        originId: origin?.id ?? null,
        originData: origin?.data ?? null,
      });
      await this.sla.apply(em, ticket);
      await em.insert(Ticket, ticket);
      const assignees = f.assignees.length ? f.assignees : await this.autoAssignee(em, f.category);
      await this.writeUsers(em, ticket.id, TicketUserRole.ASSIGNEE, assignees);
      await this.writeUsers(em, ticket.id, TicketUserRole.CC, f.cc);
      await this.writeTags(em, ticket.id, f.tags);
      await this.changes.recordEntry(em, ticket.id, ChangeType.CREATED, viewer.user.id, now);
      await this.searchIndex.add(em, ticket);
      await this.files.attach(em, ticket, stored, viewer.user.id, now);
      if (status !== TicketStatus.DRAFT) await this.notifications.ticketOpened(em, ticket.id, now);
      await record(em, { ticketId: ticket.id });
      return ticket;
    }).catch(async (err: unknown) => {
      await this.files.abandon(stored);
      throw err;
    });
    ctx.loaders.ticketById.prime(ticket.id, ticket);
    return { ticket, userErrors: [] };
  }

  /**
   * A sparse edit. Workflow actions (ticket-workflow.service.ts) go through here too, with
   * `action`: extra column values written in the same UPDATE and a hook run in the same transaction.
   */
  async update(ctx: RequestContext, id: string, input: TicketUpdateInput, action?: UpdateAction): Promise<TicketResult> {
    const viewer = requirePrivilege(ctx, Privilege.EDIT_TICKETS);
    const current = await this.requireTicket(ctx, id);
    const nonNullable = (['subject', 'type', 'status', 'priority'] as const).filter((k) => input[k] === null);
    if (nonNullable.length > 0) {
      return { ticket: null, userErrors: nonNullable.map((k) => userError(['input', k], UserErrorCode.BLANK, `${k} cannot be cleared`)) };
    }
    const conflict = (stored: number) => ({
      ticket: null,
      userErrors: [userError(['input', 'expectedVersion'], UserErrorCode.CONFLICT, `The ticket was changed by someone else: it is at version ${stored}, not ${input.expectedVersion}`)],
    });
    if (input.expectedVersion != null && input.expectedVersion !== current.version) return conflict(current.version);

    const checked = await this.validator.validate(this.db.manager, viewer, input);
    if (!checked.ok) return { ticket: null, userErrors: checked.errors };
    const f = checked.value;
    const now = new Date();

    // The closure may run twice (MySQL deadlock retry): it only writes and returns; the loaders
    // learn the new state once it is committed.
    const outcome = await this.db.transaction(async (em): Promise<TicketResult & { changed?: true }> => {
      const stored = await em.findOne(Ticket, { where: { id: current.id }, lock: this.db.lockMode ? { mode: this.db.lockMode } : undefined });
      if (!stored || !canSeeTicket(viewer, stored)) throw notFound(`No ticket ${id}`);
      if (input.expectedVersion != null && input.expectedVersion !== stored.version) return conflict(stored.version);

      if (input.status != null && input.status !== stored.status) {
        const refused = this.transitionRefusal(stored.status, input.status, action !== undefined);
        if (refused) return { ticket: null, userErrors: [userError(['input', 'status'], UserErrorCode.INVALID_TRANSITION, refused)] };
      }
      const links = await this.loadLinks(em, stored);
      const next: Ticket = Object.assign(em.create(Ticket, {}), stored, {
        subject: f.subject ?? stored.subject,
        body: f.body ?? stored.body,
        type: input.type ?? stored.type,
        status: input.status ?? stored.status,
        priority: input.priority ?? stored.priority,
        categoryId: f.category === undefined ? stored.categoryId : (f.category?.id ?? null),
        server: f.server === undefined ? stored.server : f.server,
        notify: f.notify ?? stored.notify,
        due: f.due === undefined ? stored.due : f.due,
        locked: input.locked ?? stored.locked,
        ...action?.set,
      });
      const nextLinks: TicketLinks = {
        category: f.category === undefined ? links.category : f.category,
        tags: f.tags ?? links.tags,
        assignees: f.assignees ?? links.assignees,
        cc: f.cc ?? links.cc,
      };
      if (f.due !== undefined) next.dueManual = f.due !== null;
      if (next.priority !== stored.priority || next.categoryId !== stored.categoryId || (stored.dueManual && !next.dueManual)) await this.sla.apply(em, next);
      const diffs = diffTickets(snapshot(stored, links), snapshot(next, nextLinks));
      if (diffs.length === 0) return { ticket: stored, userErrors: [] };

      if (next.status !== stored.status) {
        if (next.status === TicketStatus.CLOSED) next.closedAt = now;
        else if (stored.status === TicketStatus.CLOSED) next.closedAt = null;
        if (!DONE_STATUSES.includes(next.status)) next.resolvedAt = null;
      }
      next.updatedAt = now;
      next.version = stored.version + 1;
      // Conditional on the version read: a writer that slipped in between makes this a conflict, not a lost update.
      const result = await em
        .createQueryBuilder()
        .update(Ticket)
        .set({
          subject: next.subject,
          body: next.body,
          type: next.type,
          status: next.status,
          priority: next.priority,
          categoryId: next.categoryId,
          server: next.server,
          notify: next.notify,
          due: next.due,
          closedAt: next.closedAt,
          locked: next.locked,
          resolution: next.resolution,
          resolvedAt: next.resolvedAt,
          resolvedById: next.resolvedById,
          lastActorId: viewer.user.id,
          dueManual: next.dueManual,
          slaPolicyId: next.slaPolicyId,
          responseDueAt: next.responseDueAt,
          resolutionDueAt: next.resolutionDueAt,
          updatedAt: now,
          version: next.version,
        })
        .where('id = :id AND version = :version', { id: stored.id, version: stored.version })
        .execute();
      if (affectedRows(result) !== 1) return conflict(stored.version + 1);

      const changed = new Set(diffs.map((d) => d.field));
      if (changed.has(TrackedField.ASSIGNEES) && f.assignees) await this.replaceUsers(em, stored.id, TicketUserRole.ASSIGNEE, f.assignees);
      if (changed.has(TrackedField.CC) && f.cc) await this.replaceUsers(em, stored.id, TicketUserRole.CC, f.cc);
      if (changed.has(TrackedField.TAGS) && f.tags) {
        await em.delete(TicketTag, { ticketId: stored.id });
        await this.writeTags(em, stored.id, f.tags);
      }
      if (changed.has(TrackedField.SUBJECT) || changed.has(TrackedField.BODY)) await this.searchIndex.updateText(em, next);
      if (stored.status === TicketStatus.DRAFT && next.status !== TicketStatus.DRAFT) await this.notifications.ticketOpened(em, stored.id, now);
      // History is judged by the stored ticket: edits to a draft (including publishing it) record nothing.
      if (stored.status !== TicketStatus.DRAFT) await this.changes.recordFieldChanges(em, stored.id, viewer.user.id, diffs, now);
      next.lastActorId = viewer.user.id;
      await action?.after?.(em, next, now);
      return { ticket: next, userErrors: [], changed: true };
    });
    if (outcome.changed && outcome.ticket) {
      const id = outcome.ticket.id;
      ctx.loaders.ticketById.clear(id).prime(id, outcome.ticket);
      for (const role of [TicketUserRole.ASSIGNEE, TicketUserRole.CC]) ctx.loaders.ticketUsers.clear({ ticketId: id, role });
      ctx.loaders.ticketTags.clear(id);
    }
    return { ticket: outcome.ticket, userErrors: outcome.userErrors };
  }

  /** Soft delete: the ticket disappears from reads until restored. */
  async softDelete(ctx: RequestContext, id: string, expectedVersion: number | null = null): Promise<TicketDeleteResult> {
    const viewer = requirePrivilege(ctx, Privilege.DELETE_TICKETS);
    const ticket = await this.requireTicket(ctx, id);
    const conflict = await this.setDeleted(viewer, ticket, new Date(), expectedVersion);
    if (conflict) return { deletedId: null, userErrors: [conflict] };
    ctx.loaders.ticketById.clear(ticket.id);
    return { deletedId: toGlobalId('Ticket', ticket.id), userErrors: [] };
  }

  async restore(ctx: RequestContext, id: string, expectedVersion: number | null = null): Promise<TicketResult> {
    const viewer = requirePrivilege(ctx, Privilege.DELETE_TICKETS);
    const ticket = await this.requireTicket(ctx, id, { includeDeleted: true });
    if (ticket.deletedAt === null) return { ticket, userErrors: [] };
    const conflict = await this.setDeleted(viewer, ticket, null, expectedVersion);
    if (conflict) return { ticket: null, userErrors: [conflict] };
    ctx.loaders.ticketById.clear(ticket.id);
    return { ticket: await this.findVisibleById(ctx, ticket.id), userErrors: [] };
  }

  /** Permanent removal of a ticket and everything attached to it (history, links). */
  async purge(ctx: RequestContext, id: string): Promise<TicketDeleteResult> {
    requirePrivilege(ctx, Privilege.DELETE_TICKETS);
    const ticket = await this.requireTicket(ctx, id, { includeDeleted: true });
    const fileKeys = await this.db.transaction(async (em) => {
      const keys = await this.files.keysOf(em, ticket.id);
      await this.searchIndex.remove(em, ticket.id);
      await em.delete(Ticket, { id: ticket.id });
      return keys;
    });
    // Objects go after the commit: a failure leaves unreferenced bytes, never rows without them.
    await this.files.deleteObjects(fileKeys);
    ctx.loaders.ticketById.clear(ticket.id);
    return { deletedId: toGlobalId('Ticket', ticket.id), userErrors: [] };
  }

  // ---- helpers ----

  /**
   * Round-robin auto-assignment: the category's group member after the one who got the last
   * ticket. The group row is locked (MySQL) so concurrent creates take turns, not the same person.
   */
  private async autoAssignee(em: EntityManager, category: Category | null): Promise<User[]> {
    if (!category?.autoAssign || category.groupId === null) return [];
    const group = await em.findOne(UserGroup, { where: { id: category.groupId }, lock: this.db.lockMode ? { mode: this.db.lockMode } : undefined });
    if (!group) return [];
    const members = (await em.find(GroupMember, { where: { groupId: group.id }, relations: { user: true }, order: { userId: 'ASC' } })).filter((m) => m.user?.active);
    if (members.length === 0) return [];
    const next = members.find((m) => m.userId > (group.lastAssignedUserId ?? 0)) ?? members[0];
    await em.update(UserGroup, { id: group.id }, { lastAssignedUserId: next.userId });
    return [next.user as User];
  }

  /** Why a status change is not allowed (null when it is), naming both states. */
  transitionRefusal(from: TicketStatus, to: TicketStatus, viaAction: boolean): string | null {
    if (!canTransition(this.workflow, from, to)) return `A ticket cannot go from ${statusName(from)} to ${statusName(to)}`;
    if (to === TicketStatus.RESOLVED && !viaAction) return 'Resolve with ticketResolve, which records the resolution';
    return null;
  }

  /** Soft-deletes or restores; a CONFLICT userError when expectedVersion is not the stored version. */
  private async setDeleted(viewer: Viewer, ticket: Ticket, deletedAt: Date | null, expectedVersion: number | null): Promise<UserError | null> {
    const now = new Date();
    return this.db.transaction(async (em) => {
      const result = await em
        .createQueryBuilder()
        .update(Ticket)
        .set({ deletedAt, updatedAt: now, version: () => 'version + 1' })
        .where(`${deletedAt ? 'id = :id AND deleted_at IS NULL' : 'id = :id AND deleted_at IS NOT NULL'}${expectedVersion !== null ? ' AND version = :expected' : ''}`, { id: ticket.id, expected: expectedVersion })
        .execute();
      if (affectedRows(result) !== 1) {
        const stored = expectedVersion === null ? null : await em.findOne(Ticket, { where: { id: ticket.id }, select: { id: true, version: true }, withDeleted: true });
        return stored && stored.version !== expectedVersion ? conflictError(new VersionConflict(stored.version, expectedVersion as number)) : null;
      }
      if (ticket.status !== TicketStatus.DRAFT) await this.changes.recordEntry(em, ticket.id, deletedAt ? ChangeType.DELETED : ChangeType.RESTORED, viewer.user.id, now);
      return null;
    });
  }

  /** Next ticket number. The UPDATE takes the counter's row lock until commit, so concurrent creates queue. */
  private async nextNumber(em: EntityManager): Promise<number> {
    await em
      .createQueryBuilder()
      .update(TicketSequence)
      .set({ counter: () => 'counter + 1' })
      .where('name = :name', { name: TICKET_SEQUENCE })
      .execute();
    const row = await em.findOneByOrFail(TicketSequence, { name: TICKET_SEQUENCE });
    return row.counter;
  }

  private async loadLinks(em: EntityManager, ticket: Ticket): Promise<TicketLinks> {
    const [category, userLinks, tagLinks] = await Promise.all([
      ticket.categoryId === null ? null : em.findOneBy(Category, { id: ticket.categoryId }),
      em.find(TicketUser, { where: { ticketId: ticket.id }, relations: { user: true }, order: { position: 'ASC' } }),
      em.find(TicketTag, { where: { ticketId: ticket.id }, relations: { tag: true }, order: { position: 'ASC' } }),
    ]);
    const usersIn = (role: TicketUserRole) => userLinks.filter((l) => l.role === role).map((l) => l.user as User);
    return { category, tags: tagLinks.map((l) => l.tag as Tag), assignees: usersIn(TicketUserRole.ASSIGNEE), cc: usersIn(TicketUserRole.CC) };
  }

  private async replaceUsers(em: EntityManager, ticketId: number, role: TicketUserRole, users: User[]): Promise<void> {
    await em.delete(TicketUser, { ticketId, role });
    await this.writeUsers(em, ticketId, role, users);
  }

  private async writeUsers(em: EntityManager, ticketId: number, role: TicketUserRole, users: User[]): Promise<void> {
    if (users.length === 0) return;
    await em.insert(TicketUser, users.map((u, position) => ({ ticketId, role, userId: u.id, position })));
  }

  private async writeTags(em: EntityManager, ticketId: number, tags: Tag[]): Promise<void> {
    if (tags.length === 0) return;
    await em.insert(TicketTag, tags.map((t, position) => ({ ticketId, tagId: t.id, position })));
  }
}

/** The tracked fields of a ticket as history entries show them. */
function snapshot(t: Ticket, links: TicketLinks): TicketSnapshot {
  return {
    subject: t.subject,
    body: t.body,
    type: enumName(TicketType, t.type),
    status: enumName(TicketStatus, t.status),
    priority: enumName(TicketPriority, t.priority),
    category: links.category?.key ?? null,
    server: t.server,
    due: t.due ? t.due.toISOString() : null,
    assignees: links.assignees.map((u) => u.username),
    cc: links.cc.map((u) => u.username),
    notify: t.notify,
    tags: links.tags.map((tag) => tag.key),
    locked: t.locked ? 'true' : 'false',
    resolution: t.resolution,
  };
}

function statusName(status: TicketStatus): string {
  return humanize(enumName(TicketStatus, status));
}

