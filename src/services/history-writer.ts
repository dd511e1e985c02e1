import { In, MoreThanOrEqual } from 'typeorm';
import { notFound } from '../common/errors';
import { ConflictError } from '../common/result';
import { sqlDateTime } from '../db/column-types';
import { affectedRows, type Database } from '../db/database';
import { CommentVisibility } from '../entities/comment-visibility.enum';
import { TicketChange } from '../entities/ticket-change.entity';
import { Ticket } from '../entities/ticket.entity';
import { ChangeType, enumName, TrackedField } from '../entities/ticket.enums';
import type { RequestContext, Viewer } from '../graphql/context';
import type { SearchIndex } from '../search/search-index';
import type { TicketChangeListener } from './ticket-change-listener';
import { sameValue, type FieldChange, type SnapshotValue } from './ticket-diff';
import { ownTicketsSql, ticketVisibleIn } from './access';

/** Edits of one field by one person within this window collapse into one history entry. */
export const COLLAPSE_WINDOW_MS = 60_000;

const encode = (v: SnapshotValue): string | null => (v === null ? null : JSON.stringify(v));
const decode = (v: string | null): SnapshotValue => (v === null ? null : (JSON.parse(v) as SnapshotValue));

export interface TouchOptions {
  /** Soft-deleted tickets too (history of jobs and audit entries). */
  includeDeleted?: boolean;
  /** A reply: may set the SLA's first response. */
  response?: boolean;
  /** Optimistic concurrency: touch only at this version, else ConflictError. */
  expectedVersion?: number | null;
}

/**
 * Writes a ticket's history inside the transaction of the write that causes it: the version bump
 * ("touch"), entries of every kind, comments with their full-text copy. Every entry is announced to
 * the listeners (mail, webhooks, the change stream) in the same transaction. Lower than every
 * service that edits tickets, so none of them needs another.
 */
export class HistoryWriter {
  constructor(
    private readonly db: Database,
    private readonly searchIndex: SearchIndex,
    private readonly listeners: readonly TicketChangeListener[],
  ) {}

  /** A ticket was created open or a draft published: the listeners hear of it. */
  async ticketOpened(ctx: RequestContext, ticketId: number, at: Date): Promise<void> {
    for (const l of this.listeners) await l.ticketOpened(ctx, ticketId, at);
  }

  async recordEntry(ctx: RequestContext, ticketId: number, type: ChangeType, authorId: number | null, at: Date, extra: Partial<TicketChange> = {}): Promise<TicketChange> {
    const em = this.db.em(ctx);
    const change = em.create(TicketChange, {
      ticketId, type, field: null, oldValue: null, newValue: null, body: null, authorId, createdAt: at, editedAt: null, editedById: null, jobId: null, commentId: null, visibility: CommentVisibility.PUBLIC,
      ...extra,
    });
    await em.insert(TicketChange, change);
    await this.announce(ctx, ticketId, type, change.id, change.id, at, change);
    return change;
  }

  /**
   * A comment made public or internal: a staff-only COMMENT_VISIBILITY entry naming it. A note made
   * public for the first time (written internal, and no visibility entry of it before) is news for
   * the requester's side: listeners hear notePublished. A comment public when written, or published
   * before, reached that side then.
   */
  async recordVisibilityChange(ctx: RequestContext, comment: TicketChange, visibility: CommentVisibility, authorId: number, at: Date): Promise<void> {
    const firstPublication =
      visibility === CommentVisibility.PUBLIC &&
      comment.visibility === CommentVisibility.INTERNAL &&
      !(await this.db.em(ctx).existsBy(TicketChange, { ticketId: comment.ticketId, type: ChangeType.COMMENT_VISIBILITY, commentId: comment.id }));
    await this.recordEntry(ctx, comment.ticketId, ChangeType.COMMENT_VISIBILITY, authorId, at, {
      oldValue: JSON.stringify(enumName(CommentVisibility, comment.visibility)),
      newValue: JSON.stringify(enumName(CommentVisibility, visibility)),
      visibility: CommentVisibility.INTERNAL,
      commentId: comment.id,
    });
    if (firstPublication) for (const l of this.listeners) await l.notePublished?.(ctx, comment.ticketId, comment, at);
  }

  /**
   * One CHANGE entry per changed field. When the same person changed the same field less than a
   * minute ago, that entry is replaced by one spanning both edits (its old value, the new value),
   * or dropped if the field is back where it started.
   */
  async recordFieldChanges(ctx: RequestContext, ticketId: number, authorId: number, diffs: FieldChange[], at: Date): Promise<void> {
    if (diffs.length === 0) return;
    const em = this.db.em(ctx);
    const recent = await em.find(TicketChange, {
      where: { ticketId, type: ChangeType.CHANGE, field: In(diffs.map((d) => d.field)), createdAt: MoreThanOrEqual(new Date(at.getTime() - COLLAPSE_WINDOW_MS)) },
      order: { id: 'DESC' },
    });
    const collapsed: number[] = [];
    const inserts: FieldChange[] = [];
    for (const diff of diffs) {
      const latest = recent.find((c) => c.field === diff.field && (c.customFieldKey ?? null) === (diff.customFieldKey ?? null));
      if (latest && latest.authorId === authorId) {
        collapsed.push(latest.id);
        const oldValue = decode(latest.oldValue);
        if (!sameValue(oldValue, diff.newValue)) inserts.push({ ...diff, oldValue });
      } else {
        inserts.push(diff);
      }
    }
    if (collapsed.length > 0) await em.delete(TicketChange, { id: In(collapsed) });
    if (inserts.length === 0) return;
    const rows = inserts.map((d) =>
      em.create(TicketChange, {
        ticketId,
        type: ChangeType.CHANGE,
        field: d.field,
        customFieldKey: d.customFieldKey ?? null,
        // Body edits are recorded without their text: the body can be large and is on the ticket.
        oldValue: d.field === TrackedField.BODY ? null : encode(d.oldValue),
        newValue: d.field === TrackedField.BODY ? null : encode(d.newValue),
        body: null, authorId, createdAt: at, editedAt: null, editedById: null, jobId: null, commentId: null, visibility: CommentVisibility.PUBLIC,
      }),
    );
    await em.insert(TicketChange, rows);
    await this.announce(ctx, ticketId, ChangeType.CHANGE, Math.min(...rows.map((r) => r.id)), Math.max(...rows.map((r) => r.id)), at);
  }

  /** A comment entry (a public reply or an internal note) and its full-text copy (after touchTicket). */
  async writeComment(ctx: RequestContext, ticketId: number, authorId: number, body: string, at: Date, visibility: CommentVisibility): Promise<TicketChange> {
    const entry = await this.recordEntry(ctx, ticketId, ChangeType.COMMENT, authorId, at, { body, visibility });
    await this.searchIndex.appendComment(ctx, ticketId, body, visibility);
    return entry;
  }

  /** Bumps the ticket's version and modified time; a ticket deleted meanwhile is not found (unless includeDeleted). */
  async touchTicket(ctx: RequestContext, ticketId: number, at: Date, actorId: number | null, opts: TouchOptions = {}): Promise<void> {
    if ((await this.touch(ctx, ticketId, at, actorId, null, opts)) === 1) return;
    await this.throwIfStale(ctx, ticketId, opts, () => true);
    throw notFound('No such ticket');
  }

  /** touchTicket for a ticket the viewer must be able to see (canSeeTicket as SQL); false when it is not there for them. */
  async touchVisibleTicket(ctx: RequestContext, ticketId: number, at: Date, viewer: Viewer, opts: Omit<TouchOptions, 'includeDeleted'> = {}): Promise<boolean> {
    if (viewer.categoryIds !== null && viewer.categoryIds.length === 0) return false;
    if ((await this.touch(ctx, ticketId, at, viewer.user.id, viewer.categoryIds, opts, viewer.ownTicketsOnly ? viewer.user.id : null)) === 1) return true;
    await this.throwIfStale(ctx, ticketId, opts, (row) => ticketVisibleIn(this.db.em(ctx), viewer, row));
    return false;
  }

  private async announce(ctx: RequestContext, ticketId: number, type: ChangeType, first: number, last: number, at: Date, entry?: TicketChange): Promise<void> {
    for (const l of this.listeners) await l.changesRecorded(ctx, ticketId, type, first, last, at, entry);
  }

  /** After a touch that changed nothing: a ConflictError if the ticket is there (and visible) at another version. */
  private async throwIfStale(ctx: RequestContext, ticketId: number, opts: TouchOptions, visible: (row: Ticket) => boolean | Promise<boolean>): Promise<void> {
    if (opts.expectedVersion == null) return;
    const row = await this.db.em(ctx).findOne(Ticket, { where: { id: ticketId }, select: { id: true, version: true, deletedAt: true, categoryId: true, creatorId: true, requesterId: true }, withDeleted: true });
    if (row && (opts.includeDeleted || row.deletedAt === null) && (await visible(row))) throw new ConflictError(row.version, opts.expectedVersion);
  }

  private async touch(ctx: RequestContext, ticketId: number, at: Date, actorId: number | null, categoryIds: readonly number[] | null, opts: TouchOptions, ownTicketsOf: number | null = null): Promise<number> {
    const qb = this.db
      .em(ctx)
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
    if (ownTicketsOf !== null) qb.andWhere(ownTicketsSql({ id: 'id', creatorId: 'creator_id', requesterId: 'requester_id' }), { ownTicketsViewer: ownTicketsOf });
    return affectedRows(await qb.execute());
  }
}
