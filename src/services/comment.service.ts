import { forbidden, notFound } from '../common/errors';
import { catchConflict, ok, refusal, refused, UserErrorCode, type Result } from '../common/result';
import type { AppConfig } from '../config/config';
import { cleanMarkdown } from '../common/text';
import type { Database } from '../db/database';
import { CommentRevision } from '../entities/comment-revision.entity';
import { TicketChange } from '../entities/ticket-change.entity';
import { CommentVisibility } from '../entities/comment-visibility.enum';
import { ChangeType, TicketStatus } from '../entities/ticket.enums';
import type { RequestContext } from '../graphql/context';
import type { TicketRef } from '../graphql/global-id';
import type { SearchIndex } from '../search/search-index';
import { isAdmin, requireViewer, seesInternalNotes } from './access';
import type { ChangeService } from './change.service';
import type { HistoryWriter } from './history-writer';
import type { IdempotencyService } from './idempotency.service';
import type { TicketFinder } from './ticket-finder';

/**
 * What a staff comment is when its visibility is not given: an internal note. A note written
 * without thinking about it then never reaches a customer by accident (a leak cannot be taken
 * back; a note made public later can), and API clients that predate visibility keep writing
 * what they wrote before: notes among staff. A public reply is a deliberate visibility: PUBLIC.
 */
export const STAFF_COMMENT_DEFAULT = CommentVisibility.INTERNAL;

/** A removed comment: the id it had, and the COMMENT_DELETED entry that records it (none on drafts). */
export interface DeletedComment {
  comment: TicketChange;
  audit: TicketChange | null;
}

/** Comments: Markdown entries in a ticket's history, edited (with revisions) and deleted by their author or an admin. */
export class CommentService {
  constructor(
    private readonly db: Database,
    private readonly limits: AppConfig['limits'],
    private readonly finder: TicketFinder,
    private readonly changes: ChangeService,
    private readonly history: HistoryWriter,
    private readonly searchIndex: SearchIndex,
    private readonly idempotency: IdempotencyService,
  ) {}

  /** Markdown source as typed (see cleanMarkdown); a refusal (on input.<field>) when blank or too large. */
  clean(raw: string, field = 'body'): Result<string> {
    const body = cleanMarkdown(raw);
    if (body === '') return refused(refusal(['input', field], UserErrorCode.BLANK, `${field} must not be blank`));
    if (Buffer.byteLength(body, 'utf8') > this.limits.bodyMaxBytes) return refused(refusal(['input', field], UserErrorCode.TOO_LONG, `${field} is larger than ${this.limits.bodyMaxBytes} bytes`));
    return ok(body);
  }

  /**
   * Idempotent with clientMutationId (see idempotency.service.ts). Staff comments are internal
   * notes unless asked to be public (STAFF_COMMENT_DEFAULT).
   */
  async add(ctx: RequestContext, ref: TicketRef | null, rawBody: string, opts: { clientMutationId?: string | null; expectedVersion?: number | null; visibility?: CommentVisibility | null } = {}): Promise<Result<TicketChange>> {
    const viewer = requireViewer(ctx);
    const visibility = opts.visibility ?? STAFF_COMMENT_DEFAULT;
    // A global id (the common case, from a previous read) needs no read of the ticket: the touch's
    // WHERE carries the visibility rule. A number is looked up (the touch needs the row id).
    const known = ref?.by === 'number' ? await this.finder.require(ctx, ref) : null;
    if (ref === null) throw notFound('No such ticket');
    const ticketId = known?.id ?? (ref as { id: number }).id;
    return this.idempotency.execute<{ changeId: number }, TicketChange>(ctx, {
      operation: 'commentAdd',
      clientMutationId: opts.clientMutationId,
      input: { ticketId, body: rawBody, expectedVersion: opts.expectedVersion, visibility },
      apply: async (record) => {
        const body = this.clean(rawBody);
        if (!body.ok) {
          if (!known) await this.finder.require(ctx, ref); // not found before invalid
          return body;
        }
        const now = new Date();
        const written = await catchConflict(
          this.db.transaction(ctx, async (tx) => {
            // Lock order: the ticket row first, then the child insert, so concurrent commenters queue
            // instead of deadlocking on the foreign-key check.
            const touchOpts = { response: true, expectedVersion: opts.expectedVersion };
            if (known) await this.history.touchTicket(tx, ticketId, now, viewer.user.id, touchOpts);
            else if (!(await this.history.touchVisibleTicket(tx, ticketId, now, viewer, touchOpts))) return null;
            const change = await this.history.writeComment(tx, ticketId, viewer.user.id, body.value, now, visibility);
            await record(tx, { changeId: change.id });
            return change;
          }),
        );
        if (!written.ok) return written;
        if (written.value) return ok(written.value);
        throw notFound('No such ticket');
      },
      replay: async ({ changeId }) => {
        const change = await this.changes.findVisible(ctx, changeId);
        if (!change) throw notFound('No such comment');
        return ok(change);
      },
    });
  }

  /**
   * New text (kept as a revision) and/or a new visibility (recorded as a staff-only
   * COMMENT_VISIBILITY entry). A requester's reply stays public: only staff make notes.
   */
  async update(ctx: RequestContext, id: number | null, rawBody: string | null, expectedVersion?: number | null, visibility?: CommentVisibility | null): Promise<Result<TicketChange>> {
    const viewer = requireViewer(ctx);
    const comment = await this.requireOwn(ctx, id);
    if (rawBody === null && visibility == null) return refused(refusal(['input', 'body'], UserErrorCode.BLANK, 'Give a new body or a new visibility'));
    const body = rawBody === null ? ok(comment.body ?? '') : this.clean(rawBody);
    if (!body.ok) return body;
    const textChanged = body.value !== comment.body;
    const newVisibility = visibility ?? comment.visibility;
    if (newVisibility !== comment.visibility && !seesInternalNotes(viewer)) {
      return refused(refusal(['input', 'visibility'], UserErrorCode.FORBIDDEN, 'Only staff (edit_tickets) make a comment public or internal'));
    }
    if (!textChanged && newVisibility === comment.visibility) return ok(comment);
    const now = new Date();
    const done = await catchConflict(
      this.db.transaction(ctx, async (tx) => {
        const em = this.db.em(tx);
        await this.history.touchTicket(tx, comment.ticketId, now, viewer.user.id, { expectedVersion });
        if (newVisibility !== comment.visibility) {
          await em.update(TicketChange, { id: comment.id }, { visibility: newVisibility });
          await this.history.recordVisibilityChange(tx, comment, newVisibility, viewer.user.id, now);
        }
        if (!textChanged) {
          await this.searchIndex.refreshComments(tx, comment.ticketId);
          return;
        }
        await em.insert(CommentRevision, em.create(CommentRevision, {
          changeId: comment.id,
          body: comment.body ?? '',
          authorId: comment.editedById ?? comment.authorId,
          writtenAt: comment.editedAt ?? comment.createdAt,
          replacedAt: now,
        }));
        await em.update(TicketChange, { id: comment.id }, { body: body.value, editedAt: now, editedById: viewer.user.id });
        await this.searchIndex.refreshComments(tx, comment.ticketId);
      }),
    );
    if (!done.ok) return done;
    return ok(Object.assign(comment, { visibility: newVisibility }, textChanged ? { body: body.value, editedAt: now, editedById: viewer.user.id } : {}));
  }

  /** Removes a comment (and its revisions) and leaves a COMMENT_DELETED entry, except on drafts. */
  async delete(ctx: RequestContext, id: number | null, expectedVersion?: number | null): Promise<Result<DeletedComment>> {
    const viewer = requireViewer(ctx);
    const comment = await this.requireOwn(ctx, id);
    const ticket = await this.finder.requireById(ctx, comment.ticketId);
    const originalAuthor = comment.authorId !== null ? await ctx.loaders.userById.load(comment.authorId) : null;
    const now = new Date();
    const audit = await catchConflict(
      this.db.transaction(ctx, async (tx) => {
        await this.history.touchTicket(tx, comment.ticketId, now, viewer.user.id, { expectedVersion });
        await this.db.em(tx).delete(TicketChange, { id: comment.id });
        await this.searchIndex.refreshComments(tx, comment.ticketId);
        if (ticket.status === TicketStatus.DRAFT) return null;
        // Removing an internal note is itself staff-only.
        return this.history.recordEntry(tx, comment.ticketId, ChangeType.COMMENT_DELETED, viewer.user.id, now, { oldValue: originalAuthor ? JSON.stringify(originalAuthor.username) : null, visibility: comment.visibility });
      }),
    );
    return audit.ok ? ok({ comment, audit: audit.value }) : audit;
  }

  private async requireOwn(ctx: RequestContext, id: number | null): Promise<TicketChange> {
    const viewer = requireViewer(ctx);
    const comment = id === null ? null : await this.changes.findVisible(ctx, id);
    if (!comment || comment.type !== ChangeType.COMMENT) throw notFound('No such comment');
    if (comment.authorId !== viewer.user.id && !isAdmin(viewer)) throw forbidden('Only the author of a comment or an admin may change it');
    return comment;
  }
}
