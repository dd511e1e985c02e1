import type { EntityManager } from 'typeorm';
import { sqlDateTime } from '../db/column-types';
import { In, MoreThanOrEqual } from 'typeorm';
import type { AppConfig } from '../config/config';
import type { Database } from '../db/database';
import { affectedRows } from '../db/database';
import { forbidden, notFound } from '../common/errors';
import { sanitizeMarkdown } from '../common/text';
import { CommentRevision } from '../entities/comment-revision.entity';
import { TicketChange } from '../entities/ticket-change.entity';
import { ChangeType, Privilege, TicketStatus, TrackedField } from '../entities/ticket.enums';
import { Ticket } from '../entities/ticket.entity';
import type { RequestContext, Viewer } from '../graphql/context';
import type { ConnectionArgs } from '../graphql/args/connection.args';
import type { Page } from '../graphql/types/connection.factory';
import { parseTicketRef, rowIdOf } from '../graphql/global-id';
import { userError, UserErrorCode, type UserError } from '../graphql/types/user-error.type';
import { isAdmin, requirePrivilege } from './access';
import { buildPage, decodeIdCursor, idCursor, pageRequest } from './pagination';
import { sameValue, type FieldChange, type SnapshotValue } from './ticket-diff';
import type { TicketService } from './ticket.service';
import type { SearchIndex } from '../search/search-index';
import type { NotificationService } from './notification.service';

/** Edits of one field by one person within this window collapse into one history entry. */
export const COLLAPSE_WINDOW_MS = 60_000;

export type ChangeResult = { change: TicketChange | null; userErrors: UserError[] };

const encode = (v: SnapshotValue): string | null => (v === null ? null : JSON.stringify(v));
const decode = (v: string | null): SnapshotValue => (v === null ? null : (JSON.parse(v) as SnapshotValue));

/** The history of tickets: field changes, comments and audit entries. */
export class ChangeService {
  constructor(
    private readonly db: Database,
    private readonly limits: AppConfig['limits'],
    private readonly tickets: () => TicketService,
    private readonly searchIndex: SearchIndex,
    private readonly notifications: NotificationService,
  ) {}

  // ---- recording (called inside the transaction of the write that causes the entry) ----

  async recordEntry(em: EntityManager, ticketId: number, type: ChangeType, authorId: number | null, at: Date, extra: Partial<TicketChange> = {}): Promise<TicketChange> {
    const change = em.create(TicketChange, {
      ticketId,
      type,
      field: null,
      oldValue: null,
      newValue: null,
      body: null,
      authorId,
      createdAt: at,
      editedAt: null,
      editedById: null,
      jobId: null,
      ...extra,
    });
    await em.insert(TicketChange, change);
    await this.notifications.changesRecorded(em, ticketId, type, change.id, change.id, at);
    return change;
  }

  /**
   * One CHANGE entry per changed field. When the same person changed the same field less than a
   * minute ago, that entry is replaced by one spanning both edits (its old value, the new value),
   * or dropped if the field is back where it started.
   */
  async recordFieldChanges(em: EntityManager, ticketId: number, authorId: number, diffs: FieldChange[], at: Date): Promise<void> {
    if (diffs.length === 0) return;
    const recent = await em.find(TicketChange, {
      where: {
        ticketId,
        type: ChangeType.CHANGE,
        field: In(diffs.map((d) => d.field)),
        createdAt: MoreThanOrEqual(new Date(at.getTime() - COLLAPSE_WINDOW_MS)),
      },
      order: { id: 'DESC' },
    });
    const collapsed: number[] = [];
    const inserts: FieldChange[] = [];
    for (const diff of diffs) {
      const latest = recent.find((c) => c.field === diff.field);
      if (latest && latest.authorId === authorId) {
        collapsed.push(latest.id);
        const oldValue = decode(latest.oldValue);
        if (!sameValue(oldValue, diff.newValue)) inserts.push({ ...diff, oldValue });
      } else {
        inserts.push(diff);
      }
    }
    if (collapsed.length > 0) await em.delete(TicketChange, { id: In(collapsed) });
    if (inserts.length > 0) {
      const rows = inserts.map((d) =>
          em.create(TicketChange, {
            ticketId,
            type: ChangeType.CHANGE,
            field: d.field,
            // Body edits are recorded without their text: the body can be large and is on the ticket.
            oldValue: d.field === TrackedField.BODY ? null : encode(d.oldValue),
            newValue: d.field === TrackedField.BODY ? null : encode(d.newValue),
            body: null,
            authorId,
            createdAt: at,
            editedAt: null,
            editedById: null,
          }),
      );
      await em.insert(TicketChange, rows);
      await this.notifications.changesRecorded(em, ticketId, ChangeType.CHANGE, Math.min(...rows.map((r) => r.id)), Math.max(...rows.map((r) => r.id)), at);
    }
  }

  // ---- comments ----

  /** A comment entry and its full-text copy, in the caller's transaction (after touchTicket). */
  async writeComment(em: EntityManager, ticketId: number, authorId: number, body: string, at: Date): Promise<TicketChange> {
    const entry = await this.recordEntry(em, ticketId, ChangeType.COMMENT, authorId, at, { body });
    await this.searchIndex.appendComment(em, ticketId, body);
    return entry;
  }

  /** Markdown comment text, sanitized; a userError (on input.<field>) when blank or too large. */
  cleanCommentBody(raw: string, field = 'body'): string | UserError {
    return this.cleanBody(raw, field);
  }

  /** Idempotent with clientMutationId (see idempotency.service.ts). */
  async addComment(ctx: RequestContext, ticketRef: string, rawBody: string, opts: { clientMutationId?: string | null; expectedVersion?: number | null } = {}): Promise<ChangeResult> {
    const viewer = requirePrivilege(ctx, Privilege.EDIT_TICKETS);
    const ref = parseTicketRef(ticketRef);
    // A global id (the common case, from a previous read) needs no read of the ticket: the touch's
    // WHERE carries the visibility rule. A number is looked up (the touch needs the row id).
    const known = ref?.by === 'id' ? null : await this.tickets().requireTicket(ctx, ticketRef);
    const ticketId = known?.id ?? (ref as { id: number }).id;
    return ctx.services.idempotency.execute<{ changeId: number }, ChangeResult>(ctx, {
      operation: 'commentAdd',
      clientMutationId: opts.clientMutationId,
      input: { ticketId, body: rawBody, expectedVersion: opts.expectedVersion },
      apply: async (record) => {
        const body = this.cleanBody(rawBody);
        if (typeof body !== 'string') {
          if (!known) await this.tickets().requireTicket(ctx, ticketRef); // not found before invalid
          return { change: null, userErrors: [body] };
        }
        const now = new Date();
        const change = await this.db.transaction(async (em) => {
          // Lock order: the ticket row first, then the child insert, so concurrent commenters queue
          // instead of deadlocking on the foreign-key check.
          const touchOpts = { response: true, expectedVersion: opts.expectedVersion };
          if (known) await this.touchTicket(em, ticketId, now, viewer.user.id, touchOpts);
          else if (!(await this.touchVisibleTicket(em, ticketId, now, viewer, touchOpts))) return null;
          const written = await this.writeComment(em, ticketId, viewer.user.id, body, now);
          await record(em, { changeId: written.id });
          return written;
        }).catch(conflictResult);
        if (change instanceof TicketChange) return { change, userErrors: [] };
        if (change) return change;
        await this.tickets().requireTicket(ctx, ticketRef); // NOT_FOUND, worded as for any other miss
        throw notFound(`No ticket ${ticketRef}`);
      },
      replay: async ({ changeId }) => ({ change: await this.findVisible(ctx, changeId), userErrors: [] }),
      refuse: (error) => ({ change: null, userErrors: [error] }),
    });
  }

  async updateComment(ctx: RequestContext, commentId: string, rawBody: string, expectedVersion?: number | null): Promise<ChangeResult> {
    const viewer = requirePrivilege(ctx, Privilege.EDIT_TICKETS);
    const comment = await this.requireOwnComment(ctx, commentId);
    const body = this.cleanBody(rawBody);
    if (typeof body !== 'string') return { change: null, userErrors: [body] };
    if (body === comment.body) return { change: comment, userErrors: [] };
    const now = new Date();
    const conflict = await this.db.transaction(async (em) => {
      await this.touchTicket(em, comment.ticketId, now, viewer.user.id, { expectedVersion });
      await em.insert(CommentRevision, em.create(CommentRevision, {
        changeId: comment.id,
        body: comment.body ?? '',
        authorId: comment.editedById ?? comment.authorId,
        writtenAt: comment.editedAt ?? comment.createdAt,
        replacedAt: now,
      }));
      await em.update(TicketChange, { id: comment.id }, { body, editedAt: now, editedById: viewer.user.id });
      await this.searchIndex.refreshComments(em, comment.ticketId);
    }).then(() => null, conflictResult);
    if (conflict) return conflict;
    Object.assign(comment, { body, editedAt: now, editedById: viewer.user.id });
    return { change: comment, userErrors: [] };
  }

  /** Removes a comment (and its revisions) and leaves a COMMENT_DELETED entry, except on drafts. */
  async deleteComment(ctx: RequestContext, commentId: string, expectedVersion?: number | null): Promise<{ deletedId: string | null; change: TicketChange | null; userErrors: UserError[] }> {
    const viewer = requirePrivilege(ctx, Privilege.EDIT_TICKETS);
    const comment = await this.requireOwnComment(ctx, commentId);
    const ticket = await this.tickets().requireTicket(ctx, comment.ticketId);
    const originalAuthor = comment.authorId !== null ? await ctx.loaders.userById.load(comment.authorId) : null;
    const now = new Date();
    const audit = await this.db.transaction(async (em) => {
      await this.touchTicket(em, comment.ticketId, now, viewer.user.id, { expectedVersion });
      await em.delete(TicketChange, { id: comment.id });
      await this.searchIndex.refreshComments(em, comment.ticketId);
      if (ticket.status === TicketStatus.DRAFT) return null;
      return this.recordEntry(em, comment.ticketId, ChangeType.COMMENT_DELETED, viewer.user.id, now, {
        oldValue: encode(originalAuthor?.username ?? null),
      });
    }).catch(conflictResult);
    if (audit !== null && !(audit instanceof TicketChange)) return { deletedId: null, ...audit };
    return { deletedId: commentId, change: audit, userErrors: [] };
  }

  // ---- reads ----

  async page(ctx: RequestContext, ticketId: number, args: ConnectionArgs, types: ChangeType[] | null): Promise<Page<TicketChange>> {
    const req = pageRequest(args, this.limits);
    const sortedTypes = types && types.length > 0 ? [...new Set(types)].sort() : null;
    const rows = await ctx.loaders.changePage.load({
      ticketId,
      backward: req.backward,
      take: req.limit + 1,
      cursorId: req.cursor ? decodeIdCursor(req.cursor) : null,
      types: sortedTypes,
    });
    return {
      ...buildPage([...rows], req, (c) => idCursor(c.id)),
      count: () => ctx.loaders.changeCount.load({ ticketId, types: sortedTypes }),
    };
  }

  /** A history entry, if the viewer can see its ticket. */
  async findVisible(ctx: RequestContext, changeId: number): Promise<TicketChange | null> {
    const change = await this.db.manager.findOneBy(TicketChange, { id: changeId });
    if (!change) return null;
    const ticket = await this.tickets().findVisibleById(ctx, change.ticketId);
    return ticket ? change : null;
  }

  // ---- helpers ----

  private cleanBody(raw: string, field = 'body'): string | UserError {
    const body = sanitizeMarkdown(raw);
    if (body === '') return userError(['input', field], UserErrorCode.BLANK, `${field} must not be blank`);
    if (Buffer.byteLength(body, 'utf8') > this.limits.bodyMaxBytes) {
      return userError(['input', field], UserErrorCode.TOO_LONG, `${field} is larger than ${this.limits.bodyMaxBytes} bytes`);
    }
    return body;
  }

  /** Bumps the ticket's version and modified time; a ticket deleted meanwhile is not found (unless includeDeleted). */
  async touchTicket(em: EntityManager, ticketId: number, at: Date, actorId: number | null, opts: TouchOptions = {}): Promise<void> {
    if ((await this.touch(em, ticketId, at, actorId, null, opts)) === 1) return;
    await this.throwIfStale(em, ticketId, opts, () => true);
    throw notFound('No such ticket');
  }

  /** touchTicket for a ticket the viewer must be able to see (canSeeTicket as SQL); false when it is not there for them. */
  private async touchVisibleTicket(em: EntityManager, ticketId: number, at: Date, viewer: Viewer, opts: Omit<TouchOptions, 'includeDeleted'> = {}): Promise<boolean> {
    if (viewer.categoryIds !== null && viewer.categoryIds.length === 0) return false;
    if ((await this.touch(em, ticketId, at, viewer.user.id, viewer.categoryIds, opts)) === 1) return true;
    await this.throwIfStale(em, ticketId, opts, (row) => viewer.categoryIds === null || (row.categoryId !== null && viewer.categoryIds.includes(row.categoryId)));
    return false;
  }

  /** After a touch that changed nothing: a VersionConflict if the ticket is there (and visible) at another version. */
  private async throwIfStale(em: EntityManager, ticketId: number, opts: TouchOptions, visible: (row: Ticket) => boolean): Promise<void> {
    if (opts.expectedVersion == null) return;
    const row = await em.findOne(Ticket, { where: { id: ticketId }, select: { id: true, version: true, deletedAt: true, categoryId: true }, withDeleted: true });
    if (row && (opts.includeDeleted || row.deletedAt === null) && visible(row)) throw new VersionConflict(row.version, opts.expectedVersion);
  }

  private async touch(em: EntityManager, ticketId: number, at: Date, actorId: number | null, categoryIds: readonly number[] | null, opts: TouchOptions): Promise<number> {
    const qb = em
      .createQueryBuilder()
      .update(Ticket)
      .set({
        version: () => 'version + 1',
        updatedAt: at,
        lastActorId: actorId,
        // A comment by anyone but the requester is the SLA's first response.
        ...(opts.response && actorId !== null
          ? { firstResponseAt: () => 'CASE WHEN first_response_at IS NULL AND (requester_id IS NULL OR requester_id <> :actor) THEN :respondedAt ELSE first_response_at END' }
          : {}),
      })
      .setParameters({ actor: actorId, respondedAt: sqlDateTime(at) })
      // Optimistic concurrency: with expectedVersion the bump happens only at the version the caller saw.
      .where(`${opts.includeDeleted ? 'id = :id' : 'id = :id AND deleted_at IS NULL'}${opts.expectedVersion != null ? ' AND version = :expected' : ''}`, { id: ticketId, expected: opts.expectedVersion });
    if (categoryIds !== null) qb.andWhere('category_id IN (:...categoryIds)', { categoryIds: [...categoryIds] });
    return affectedRows(await qb.execute());
  }

  private async requireOwnComment(ctx: RequestContext, commentId: string): Promise<TicketChange> {
    const viewer = requirePrivilege(ctx, Privilege.EDIT_TICKETS);
    const id = rowIdOf('Change', commentId);
    const comment = id === null ? null : await this.findVisible(ctx, id);
    if (!comment || comment.type !== ChangeType.COMMENT) throw notFound(`No comment with id ${commentId}`);
    if (comment.authorId !== viewer.user.id && !isAdmin(viewer)) throw forbidden('Only the author of a comment or an admin may change it');
    return comment;
  }
}

export interface TouchOptions {
  /** Soft-deleted tickets too (history of jobs and audit entries). */
  includeDeleted?: boolean;
  /** A reply: may set the SLA's first response. */
  response?: boolean;
  /** Optimistic concurrency: touch only at this version, else VersionConflict. */
  expectedVersion?: number | null;
}

/** touchTicket found the ticket at another version than the caller's expectedVersion; the transaction rolls back. */
export class VersionConflict extends Error {
  constructor(readonly stored: number, readonly expected: number) {
    super(`The ticket was changed by someone else: it is at version ${stored}, not ${expected}`);
  }
}

/** The CONFLICT userError for a VersionConflict (at `field`); anything else is rethrown. */
export function conflictError(err: unknown, field: string[] = ['input', 'expectedVersion']): UserError {
  if (err instanceof VersionConflict) return userError(field, UserErrorCode.CONFLICT, err.message);
  throw err;
}

/** Turns a VersionConflict into the CONFLICT userError the payloads carry; rethrows anything else. */
function conflictResult(err: unknown): { change: null; userErrors: UserError[] } {
  if (err instanceof VersionConflict) return { change: null, userErrors: [userError(['input', 'expectedVersion'], UserErrorCode.CONFLICT, err.message)] };
  throw err;
}
