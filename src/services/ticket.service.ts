import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import { notFound } from '../common/errors';
import { ConflictError, ok, refusal, refused, UserErrorCode, type Refusal, type Result } from '../common/result';
import { canTransition, type Workflow } from '../config/workflow';
import { affectedRows, type Database } from '../db/database';
import type { TicketOriginKind } from '../entities/job.enums';
import { TicketUserRole } from '../entities/ticket-user.entity';
import { Ticket } from '../entities/ticket.entity';
import { CALLER_SOURCES, sourceOfOrigin, TicketSource } from '../entities/ticket-source.enum';
import { ChangeType, DONE_STATUSES, enumName, humanize, TicketPriority, TicketStatus, TicketType, TrackedField } from '../entities/ticket.enums';
import type { RequestContext, Viewer } from '../graphql/context';
import type { TicketRef } from '../graphql/global-id';
import type { TicketCreateInput } from '../graphql/inputs/ticket-create.input';
import type { TicketUpdateInput } from '../graphql/inputs/ticket-update.input';
import type { SearchIndex } from '../search/search-index';
import { requireViewer, ticketVisible, ticketVisibleIn } from './access';
import type { FileStore } from './file-store';
import type { HistoryWriter } from './history-writer';
import { isUniqueViolation, type IdempotencyService } from './idempotency.service';
import type { RequesterChoice, RequesterResolver } from './requester-resolver';
import type { SlaService } from './sla.service';
import { diffTickets, type TicketSnapshot } from './ticket-diff';
import type { TicketFinder } from './ticket-finder';
import type { NormalizedTicketFields, TicketInputValidator } from './ticket-input.validator';
import type { TicketLinks, TicketLinksState } from './ticket-links';
import type { CustomFieldService } from './custom-field.service';

/** Where a ticket came from when a job or an alert opened it. */
export interface TicketOrigin {
  kind: TicketOriginKind;
  id: string;
  data?: Record<string, string | number | null> | null;
}

/** A ticketCreate's answer: the new ticket, or (existing) the one an earlier create with the same source and externalId made. */
export interface CreatedTicket {
  ticket: Ticket;
  existing: boolean;
}

/** What a workflow action adds to an update (see TicketWorkflowService). */
export interface UpdateAction {
  set?: Partial<Pick<Ticket, 'resolution' | 'resolvedAt' | 'resolvedById'>>;
  /** Runs in the update's transaction, after the ticket is written (writes only: it may be retried). */
  after?: (tx: RequestContext, ticket: Ticket, at: Date) => Promise<void>;
}

/** Names and types of uploads (not their bytes), for comparing a retried request with the first. */
async function uploadNames(files: Promise<FileUpload>[] | null | undefined): Promise<{ name: string | null; type: string | null }[]> {
  return Promise.all((files ?? []).map((p) => p.then((u) => ({ name: u.filename ?? null, type: u.mimetype ?? null }), () => ({ name: null, type: null }))));
}

/** Ticket writes: each in one transaction with its history, files and links. */
export class TicketService {
  constructor(
    private readonly db: Database,
    private readonly validator: TicketInputValidator,
    private readonly finder: TicketFinder,
    private readonly history: HistoryWriter,
    private readonly links: TicketLinks,
    private readonly searchIndex: SearchIndex,
    private readonly files: FileStore,
    private readonly sla: SlaService,
    private readonly idempotency: IdempotencyService,
    private readonly workflow: Workflow,
    private readonly requesters: RequesterResolver,
    private readonly customFields: CustomFieldService,
  ) {}

  /** Idempotent with input.clientMutationId (see idempotency.service.ts). The creator is the caller. */
  async create(ctx: RequestContext, input: TicketCreateInput, origin: TicketOrigin | null = null): Promise<Result<Ticket>> {
    const created = await this.createOrFind(ctx, input, origin);
    return created.ok ? ok(created.value.ticket) : created;
  }

  /**
   * create, telling whether input.externalId found an earlier ticket of the same source: that one is
   * answered unchanged (whatever else this input says) and nothing is written, mailed or posted.
   */
  async createOrFind(ctx: RequestContext, input: TicketCreateInput, origin: TicketOrigin | null = null): Promise<Result<CreatedTicket>> {
    const viewer = requireViewer(ctx);
    const { clientMutationId, files, ...fields } = input;
    return this.idempotency.execute<{ ticketId: number }, CreatedTicket>(ctx, {
      operation: 'ticketCreate',
      clientMutationId,
      // Files are compared by name and type: their bytes are read only when the ticket is created.
      input: clientMutationId ? { ...fields, files: await uploadNames(files) } : null,
      apply: (record) => this.createOnce(ctx, viewer, input, record, origin),
      replay: async ({ ticketId }) => ok({ ticket: await this.finder.requireById(ctx, ticketId), existing: false }),
    });
  }

  /** The source (from the origin, the input or the credential) and the trimmed externalId, or why not. */
  private sourceAndExternalId(viewer: Viewer, input: TicketCreateInput, origin: TicketOrigin | null): Result<{ source: TicketSource; externalId: string | null }> {
    const problems: Refusal[] = [];
    let source = viewer.credential === 'api_key' ? TicketSource.API : TicketSource.MANUAL;
    if (origin) source = sourceOfOrigin(origin.kind);
    else if (input.source != null) {
      if (CALLER_SOURCES.includes(input.source)) source = input.source;
      else problems.push(refusal(['input', 'source'], UserErrorCode.INVALID, 'JOB and ALERT tickets are opened by ticketCreateFromJob and ticketCreateFromAlert, which record the job or alert; use MANUAL, API or EMAIL'));
    }
    const externalId = input.externalId == null ? null : input.externalId.trim();
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    if (externalId !== null && (externalId.length === 0 || externalId.length > 100 || /[\u0000-\u001f\u007f]/.test(externalId))) {
      problems.push(refusal(['input', 'externalId'], UserErrorCode.INVALID, 'externalId must be 1-100 characters without control characters'));
    }
    return problems.length ? refused(...problems) : ok({ source, externalId });
  }

  /** The ticket an earlier create with this source and externalId made; null when there is none. */
  private async findByExternalId(ctx: RequestContext, viewer: Viewer, source: TicketSource, externalId: string): Promise<Result<CreatedTicket> | null> {
    const ticket = await this.db.em(ctx).findOneBy(Ticket, { source, externalId });
    if (!ticket) return null;
    if (!(await ticketVisible(ctx, viewer, ticket))) {
      const why = ticket.deletedAt !== null ? 'a deleted ticket (restore or purge it)' : 'a ticket you cannot see';
      return refused(refusal(['input', 'externalId'], UserErrorCode.TAKEN, `externalId ${externalId} of source ${enumName(TicketSource, source)} belongs to ${why}`));
    }
    ctx.loaders.ticketById.prime(ticket.id, ticket);
    return ok({ ticket, existing: true });
  }

  private async createOnce(
    ctx: RequestContext,
    viewer: Viewer,
    input: TicketCreateInput,
    record: (tx: RequestContext, result: { ticketId: number }) => Promise<void>,
    origin: TicketOrigin | null,
  ): Promise<Result<CreatedTicket>> {
    const keyed = this.sourceAndExternalId(viewer, input, origin);
    if (!keyed.ok) return keyed;
    const { source, externalId } = keyed.value;
    // A retry of an integration's create: the first ticket, before anything of this input is judged.
    const earlier = externalId === null ? null : await this.findByExternalId(ctx, viewer, source, externalId);
    if (earlier) return earlier;
    const checked = await this.validator.validate(ctx, viewer, {
      subject: input.subject, body: input.body ?? '', category: input.category ?? null, tags: input.tags ?? [], server: input.server ?? null,
      assignees: input.assignees ?? [], cc: input.cc ?? [], notify: input.notify ?? [], due: input.due ?? null,
    });
    if (!checked.ok) return checked;
    const f = checked.value as Required<NormalizedTicketFields>;
    const values = await this.customFields.validate(ctx, input.customFields ?? []);
    if (!values.ok) return values;
    // Required fields bind people filling in a ticket; a job or an alert opening one cannot know them.
    const missing = origin ? [] : this.customFields.checkNew(f.category?.id ?? null, values.value);
    if (missing.length) return refused(...missing);
    let requester: RequesterChoice | null = null;
    if (input.requester != null) {
      const resolved = await this.requesters.resolve(ctx, input.requester);
      if (!resolved.ok) return resolved;
      requester = resolved.value;
    }
    const staged = input.files?.length ? await this.files.stage(input.files, ['input', 'files']) : ok([]);
    if (!staged.ok) return staged;
    const now = new Date();
    const status = input.status ?? this.workflow.initial;
    // Files are made final before the transaction: no lock (the ticket number's) waits on storage.
    const stored = await this.files.store(staged.value, now);

    const write = (choice: RequesterChoice | null) =>
      this.db.transaction(ctx, async (tx) => {
        const em = this.db.em(tx);
        const made = choice ? await this.requesters.materialize(tx, choice, now) : null;
        const requesterId = made?.user.id ?? viewer.user.id;
        const ticket = em.create(Ticket, {
          number: await this.links.nextNumber(tx),
          subject: f.subject, body: f.body, type: input.type ?? TicketType.ISSUE, status, priority: input.priority ?? TicketPriority.NORMAL,
          categoryId: f.category?.id ?? null, server: f.server, notify: f.notify, due: f.due,
          creatorId: viewer.user.id, requesterId, lastActorId: viewer.user.id, dueManual: f.due !== null,
          resolution: null, resolvedAt: null, resolvedById: null, locked: false, firstResponseAt: null,
          createdAt: now, updatedAt: now, closedAt: status === TicketStatus.CLOSED ? now : null, deletedAt: null, version: 1,
          originKind: origin?.kind ?? null, originId: origin?.id ?? null, originData: origin?.data ?? null, source, externalId,
        });
        await this.sla.apply(tx, ticket);
        await em.insert(Ticket, ticket);
        const assignees = f.assignees.length ? f.assignees : await this.links.autoAssignee(tx, f.category);
        await this.links.writeUsers(tx, ticket.id, TicketUserRole.ASSIGNEE, assignees);
        await this.links.writeUsers(tx, ticket.id, TicketUserRole.CC, f.cc);
        await this.links.writeTags(tx, ticket.id, f.tags);
        await this.customFields.write(tx, ticket.id, values.value);
        const newRequester = made?.created ? { body: `Requester ${made.user.email} was added as requester-only user ${made.user.username}.` } : {};
        await this.history.recordEntry(tx, ticket.id, ChangeType.CREATED, viewer.user.id, now, newRequester);
        await this.searchIndex.add(tx, ticket);
        await this.files.attach(tx, ticket, stored, viewer.user.id, now);
        if (status !== TicketStatus.DRAFT) await this.history.ticketOpened(tx, ticket.id, now);
        await record(tx, { ticketId: ticket.id });
        return ticket;
      });
    let ticket: Ticket;
    try {
      ticket = await write(requester).catch(async (err: unknown) => {
        // A concurrent create made this new requester first: the ticket is for the user it made.
        if (!isUniqueViolation(err) || !requester || !('newUser' in requester) || input.requester == null) throw err;
        const again = await this.requesters.resolve(ctx, input.requester);
        if (!again.ok || 'newUser' in again.value) throw err;
        return write(again.value);
      });
    } catch (err) {
      await this.files.abandon(stored);
      // Lost the race with a concurrent create of the same source and externalId: answer with its ticket.
      const winner = isUniqueViolation(err) && externalId !== null ? await this.findByExternalId(ctx, viewer, source, externalId) : null;
      if (winner) return winner;
      throw err;
    }
    ctx.loaders.ticketById.prime(ticket.id, ticket);
    return ok({ ticket, existing: false });
  }

  /**
   * A sparse edit. Workflow actions (ticket-workflow.service.ts) go through here too, with
   * `action`: extra column values written in the same UPDATE and a hook run in the same transaction.
   */
  async update(ctx: RequestContext, ref: TicketRef | null, input: TicketUpdateInput, action?: UpdateAction): Promise<Result<Ticket>> {
    const viewer = requireViewer(ctx);
    const current = await this.finder.require(ctx, ref);
    const nonNullable = (['subject', 'type', 'status', 'priority'] as const).filter((k) => input[k] === null);
    if (nonNullable.length > 0) return refused(...nonNullable.map((k) => refusal(['input', k], UserErrorCode.BLANK, `${k} cannot be cleared`)));
    const conflict = (stored: number) => refused<Ticket>(refusal(['input', 'expectedVersion'], UserErrorCode.CONFLICT, new ConflictError(stored, input.expectedVersion ?? stored).message));
    if (input.expectedVersion != null && input.expectedVersion !== current.version) return conflict(current.version);

    const checked = await this.validator.validate(ctx, viewer, input);
    if (!checked.ok) return checked;
    const f = checked.value;
    const values = await this.customFields.validate(ctx, input.customFields ?? []);
    if (!values.ok) return values;
    const now = new Date();

    // The closure may run twice (MySQL deadlock retry): it only writes and returns; the loaders
    // learn the new state once it is committed.
    const outcome = await this.db.transaction(ctx, async (tx): Promise<{ result: Result<Ticket>; changed: boolean }> => {
      const em = this.db.em(tx);
      const stored = await em.findOne(Ticket, { where: { id: current.id }, lock: this.db.lockMode ? { mode: this.db.lockMode } : undefined });
      if (!stored || !(await ticketVisibleIn(em, viewer, stored))) throw notFound('No such ticket');
      if (input.expectedVersion != null && input.expectedVersion !== stored.version) return { result: conflict(stored.version), changed: false };
      if (input.status != null && input.status !== stored.status) {
        const why = this.transitionRefusal(stored.status, input.status, action !== undefined);
        if (why) return { result: refused(refusal(['input', 'status'], UserErrorCode.INVALID_TRANSITION, why)), changed: false };
      }
      const links = await this.links.load(tx, stored);
      // Moving an unassigned ticket into an auto-assigning category assigns it as a new ticket there
      // would be; assignees given in the same update, or already on the ticket, stay.
      const movedIn = f.category != null && f.category.id !== stored.categoryId && f.assignees === undefined && links.assignees.length === 0;
      const auto = movedIn ? await this.links.autoAssignee(tx, f.category ?? null) : [];
      // Not written back into f: a retried attempt (a MySQL deadlock) must pick again.
      const assignees = auto.length > 0 ? auto : f.assignees;
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
      const nextLinks: TicketLinksState = {
        category: f.category === undefined ? links.category : f.category,
        tags: f.tags ?? links.tags,
        assignees: assignees ?? links.assignees,
        cc: f.cc ?? links.cc,
      };
      if (f.due !== undefined) next.dueManual = f.due !== null;
      if (next.priority !== stored.priority || next.categoryId !== stored.categoryId || (stored.dueManual && !next.dueManual)) await this.sla.apply(tx, next);
      const diffs = diffTickets(snapshot(stored, links), snapshot(next, nextLinks));
      const custom = await this.customFields.plan(tx, stored.id, stored.categoryId, next.categoryId, values.value);
      if (custom.refusals.length) return { result: refused(...custom.refusals), changed: false };
      if (diffs.length === 0 && custom.diffs.length === 0) return { result: ok(stored), changed: false };

      if (next.status !== stored.status) {
        if (next.status === TicketStatus.CLOSED) next.closedAt = now;
        else if (stored.status === TicketStatus.CLOSED) next.closedAt = null;
        if (!DONE_STATUSES.includes(next.status)) next.resolvedAt = null;
      }
      next.updatedAt = now;
      next.version = stored.version + 1;
      next.lastActorId = viewer.user.id;
      // Conditional on the version read: a writer that slipped in between makes this a conflict, not a lost update.
      const written = await em
        .createQueryBuilder()
        .update(Ticket)
        .set({
          subject: next.subject, body: next.body, type: next.type, status: next.status, priority: next.priority, categoryId: next.categoryId,
          server: next.server, notify: next.notify, due: next.due, closedAt: next.closedAt, locked: next.locked, resolution: next.resolution,
          resolvedAt: next.resolvedAt, resolvedById: next.resolvedById, lastActorId: viewer.user.id, dueManual: next.dueManual,
          slaPolicyId: next.slaPolicyId, responseDueAt: next.responseDueAt, resolutionDueAt: next.resolutionDueAt, updatedAt: now, version: next.version,
        })
        .where('id = :id AND version = :version', { id: stored.id, version: stored.version })
        .execute();
      if (affectedRows(written) !== 1) return { result: conflict(stored.version + 1), changed: false };

      const changed = new Set(diffs.map((d) => d.field));
      if (changed.has(TrackedField.ASSIGNEES) && assignees) await this.links.writeUsers(tx, stored.id, TicketUserRole.ASSIGNEE, assignees, true);
      if (changed.has(TrackedField.CC) && f.cc) await this.links.writeUsers(tx, stored.id, TicketUserRole.CC, f.cc, true);
      if (changed.has(TrackedField.TAGS) && f.tags) await this.links.writeTags(tx, stored.id, f.tags, true);
      if (changed.has(TrackedField.SUBJECT) || changed.has(TrackedField.BODY)) await this.searchIndex.updateText(tx, next);
      if (stored.status === TicketStatus.DRAFT && next.status !== TicketStatus.DRAFT) await this.history.ticketOpened(tx, stored.id, now);
      // History is judged by the stored ticket: edits to a draft (including publishing it) record nothing.
      await this.customFields.write(tx, stored.id, custom.changes);
      if (stored.status !== TicketStatus.DRAFT) await this.history.recordFieldChanges(tx, stored.id, viewer.user.id, [...diffs, ...custom.diffs], now);
      await action?.after?.(tx, next, now);
      return { result: ok(next), changed: true };
    });
    if (outcome.changed && outcome.result.ok) {
      const ticket = outcome.result.value;
      ctx.loaders.ticketById.clear(ticket.id).prime(ticket.id, ticket);
      for (const role of [TicketUserRole.ASSIGNEE, TicketUserRole.CC]) ctx.loaders.ticketUsers.clear({ ticketId: ticket.id, role });
      ctx.loaders.ticketTags.clear(ticket.id);
      ctx.loaders.ticketFieldValues.clear(ticket.id);
    }
    return outcome.result;
  }

  /** Soft delete: the ticket disappears from reads until restored. Answers the deleted ticket. */
  async softDelete(ctx: RequestContext, ref: TicketRef | null, expectedVersion: number | null = null): Promise<Result<Ticket>> {
    const ticket = await this.finder.require(ctx, ref);
    const done = await this.setDeleted(ctx, ticket, new Date(), expectedVersion);
    ctx.loaders.ticketById.clear(ticket.id);
    return done.ok ? ok(ticket) : done;
  }

  async restore(ctx: RequestContext, ref: TicketRef | null, expectedVersion: number | null = null): Promise<Result<Ticket>> {
    const ticket = await this.finder.require(ctx, ref, { includeDeleted: true });
    if (ticket.deletedAt === null) return ok(ticket);
    const done = await this.setDeleted(ctx, ticket, null, expectedVersion);
    if (!done.ok) return done;
    ctx.loaders.ticketById.clear(ticket.id);
    return ok(await this.finder.requireById(ctx, ticket.id));
  }

  /** Permanent removal of a ticket and everything attached to it (history, links, files). */
  async purge(ctx: RequestContext, ref: TicketRef | null): Promise<Result<Ticket>> {
    const ticket = await this.finder.require(ctx, ref, { includeDeleted: true });
    const fileKeys = await this.db.transaction(ctx, async (tx) => {
      const keys = await this.files.keysOf(tx, ticket.id);
      await this.searchIndex.remove(tx, ticket.id);
      await this.db.em(tx).delete(Ticket, { id: ticket.id });
      return keys;
    });
    // Objects go after the commit: a failure leaves unreferenced bytes, never rows without them.
    await this.files.deleteObjects(fileKeys);
    ctx.loaders.ticketById.clear(ticket.id);
    return ok(ticket);
  }

  /** Why a status change is not allowed (null when it is), naming both states. */
  transitionRefusal(from: TicketStatus, to: TicketStatus, viaAction: boolean): string | null {
    if (!canTransition(this.workflow, from, to)) return `A ticket cannot go from ${statusName(from)} to ${statusName(to)}`;
    if (to === TicketStatus.RESOLVED && !viaAction) return 'Resolve with ticketResolve, which records the resolution';
    return null;
  }

  /** Soft-deletes or restores; a CONFLICT refusal when expectedVersion is not the stored version. */
  private async setDeleted(ctx: RequestContext, ticket: Ticket, deletedAt: Date | null, expectedVersion: number | null): Promise<Result<true>> {
    const viewer = requireViewer(ctx);
    const now = new Date();
    return this.db.transaction(ctx, async (tx): Promise<Result<true>> => {
      const em = this.db.em(tx);
      const result = await em
        .createQueryBuilder()
        .update(Ticket)
        .set({ deletedAt, updatedAt: now, version: () => 'version + 1' })
        .where(`${deletedAt ? 'id = :id AND deleted_at IS NULL' : 'id = :id AND deleted_at IS NOT NULL'}${expectedVersion !== null ? ' AND version = :expected' : ''}`, { id: ticket.id, expected: expectedVersion })
        .execute();
      if (affectedRows(result) !== 1) {
        const stored = expectedVersion === null ? null : await em.findOne(Ticket, { where: { id: ticket.id }, select: { id: true, version: true }, withDeleted: true });
        return stored && stored.version !== expectedVersion
          ? refused(refusal(['input', 'expectedVersion'], UserErrorCode.CONFLICT, new ConflictError(stored.version, expectedVersion as number).message))
          : ok(true);
      }
      if (ticket.status !== TicketStatus.DRAFT) await this.history.recordEntry(tx, ticket.id, deletedAt ? ChangeType.DELETED : ChangeType.RESTORED, viewer.user.id, now);
      return ok(true);
    });
  }
}

/** The tracked fields of a ticket as history entries show them. */
function snapshot(t: Ticket, links: TicketLinksState): TicketSnapshot {
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
