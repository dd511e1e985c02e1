import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import { forbidden, notFound } from '../common/errors';
import { catchConflict, ok, refusal, refused, UserErrorCode, type Result } from '../common/result';
import type { Database } from '../db/database';
import { CommentVisibility } from '../entities/comment-visibility.enum';
import { OutboxKind } from '../entities/outbox-message.entity';
import type { TicketChange } from '../entities/ticket-change.entity';
import type { TicketFile } from '../entities/ticket-file.entity';
import { TicketUserRole } from '../entities/ticket-user.entity';
import { Ticket } from '../entities/ticket.entity';
import { DONE_STATUSES, enumName, Privilege, TicketStatus, TrackedField } from '../entities/ticket.enums';
import type { RequestContext, Viewer } from '../graphql/context';
import type { TicketRef } from '../graphql/global-id';
import { hasPrivilege, requireViewer, ticketVisibleIn } from './access';
import { STAFF_COMMENT_DEFAULT, type CommentService } from './comment.service';
import type { FileStore, StagedFile, StoredFile } from './file-store';
import type { HistoryWriter } from './history-writer';
import type { MailNotifier } from './mail-notifier';
import type { TicketFinder } from './ticket-finder';
import type { TicketService } from './ticket.service';

/** A requester's reply: the comment, the files that came with it, and the ticket afterwards (reopened if it was done). */
export interface Reply {
  change: TicketChange;
  files: TicketFile[];
  ticket: Ticket;
}

/**
 * Helpdesk workflow actions. Each is a ticket update with a fixed target status, checked against
 * the configured workflow (TicketService.transitionRefusal), plus what the action records in the
 * same transaction: the resolution, a closing or reopening comment, a mail to the requester.
 */
export class TicketWorkflowService {
  constructor(
    private readonly db: Database,
    private readonly tickets: TicketService,
    private readonly finder: TicketFinder,
    private readonly comments: CommentService,
    private readonly history: HistoryWriter,
    private readonly mail: MailNotifier,
    private readonly fileStore: FileStore,
  ) {}

  /** Assigns the caller and, from open or on hold, starts the work (in progress). */
  async pickUp(ctx: RequestContext, ref: TicketRef | null, expectedVersion?: number | null): Promise<Result<Ticket>> {
    const viewer = requireViewer(ctx);
    const ticket = await this.finder.require(ctx, ref);
    const assignees = (await ctx.loaders.ticketUsers.load({ ticketId: ticket.id, role: TicketUserRole.ASSIGNEE })).map((u) => u.username);
    const start = ticket.status === TicketStatus.OPEN || ticket.status === TicketStatus.ON_HOLD;
    return this.tickets.update(ctx, ref, {
      assignees: assignees.includes(viewer.user.username) ? undefined : [...assignees, viewer.user.username],
      status: start ? TicketStatus.IN_PROGRESS : undefined,
      expectedVersion,
    });
  }

  /**
   * Records the resolution and, unless notifyRequester is false, mails it to the requester with how
   * to reopen (a reply). Resolving is when the requester learns the work is done, so it mails by
   * default; closing (the archive step, usually after resolving) mails only when asked.
   */
  async resolve(ctx: RequestContext, ref: TicketRef | null, input: { resolution: string; notifyRequester?: boolean | null; expectedVersion?: number | null }): Promise<Result<Ticket>> {
    const viewer = requireViewer(ctx);
    const resolution = this.comments.clean(input.resolution, 'resolution');
    if (!resolution.ok) return resolution;
    return this.tickets.update(ctx, ref, { status: TicketStatus.RESOLVED, expectedVersion: input.expectedVersion }, {
      set: { resolution: resolution.value, resolvedAt: new Date(), resolvedById: viewer.user.id },
      after: async (tx, ticket, at) => {
        if (input.notifyRequester !== false) await this.mail.requesterNotice(tx, OutboxKind.TICKET_RESOLVED, ticket, viewer.user.id, at);
      },
    });
  }

  /** The closing comment is staff's (internal unless commentVisibility says PUBLIC); notifyRequester mails the requester. */
  async close(ctx: RequestContext, ref: TicketRef | null, input: { comment?: string | null; commentVisibility?: CommentVisibility | null; notifyRequester?: boolean | null; expectedVersion?: number | null }): Promise<Result<Ticket>> {
    const viewer = requireViewer(ctx);
    const comment = input.comment ? this.comments.clean(input.comment, 'comment') : null;
    if (comment && !comment.ok) return comment;
    return this.tickets.update(ctx, ref, { status: TicketStatus.CLOSED, expectedVersion: input.expectedVersion }, {
      after: async (tx, ticket, at) => {
        if (comment) await this.history.writeComment(tx, ticket.id, viewer.user.id, comment.value, at, input.commentVisibility ?? STAFF_COMMENT_DEFAULT);
        if (input.notifyRequester) await this.mail.requesterNotice(tx, OutboxKind.TICKET_CLOSED, ticket, null, at);
      },
    });
  }

  async reopen(ctx: RequestContext, ref: TicketRef | null, input: { reason: string; expectedVersion?: number | null }): Promise<Result<Ticket>> {
    const viewer = requireViewer(ctx);
    const reason = this.comments.clean(input.reason, 'reason');
    if (!reason.ok) return reason;
    const ticket = await this.finder.require(ctx, ref);
    if (!DONE_STATUSES.includes(ticket.status)) {
      return refused(refusal(['id'], UserErrorCode.INVALID_TRANSITION, `Only resolved or closed tickets reopen; this one is ${enumName(TicketStatus, ticket.status).toLowerCase()}`));
    }
    return this.tickets.update(ctx, ref, { status: TicketStatus.OPEN, expectedVersion: input.expectedVersion }, {
      after: (tx, t, at) => this.history.writeComment(tx, t.id, viewer.user.id, `Reopened: ${reason.value}`, at, STAFF_COMMENT_DEFAULT).then(() => undefined),
    });
  }

  /**
   * A comment by the requester (who needs no edit privilege), always public, with optional files
   * (the upload path, limits and type checks of ticketFilesUpload) linked to it. It reopens a
   * resolved or closed ticket unless an agent locked it.
   */
  async reply(ctx: RequestContext, ref: TicketRef | null, rawBody: string, expectedVersion: number | null = null, uploads: Promise<FileUpload>[] = []): Promise<Result<Reply>> {
    const viewer = requireViewer(ctx);
    const found = await this.finder.require(ctx, ref);
    if (found.requesterId !== viewer.user.id && !hasPrivilege(viewer, Privilege.ADMIN)) throw forbidden('Only the requester of a ticket can reply to it');
    const body = this.comments.clean(rawBody);
    if (!body.ok) return body;
    const staged = uploads.length ? await this.fileStore.stage(uploads, ['files']) : ok([]);
    if (!staged.ok) return staged;
    // What this request holds in storage until rows point to it (released in finally otherwise).
    let held: (StagedFile | StoredFile)[] = staged.value;
    try {
      return await this.writeReply(ctx, viewer, found, body.value, expectedVersion, staged.value, (files) => (held = files));
    } finally {
      await this.fileStore.abandon(held);
    }
  }

  private async writeReply(ctx: RequestContext, viewer: Viewer, found: Ticket, body: string, expectedVersion: number | null, staged: StagedFile[], hold: (files: StoredFile[]) => void): Promise<Result<Reply>> {
    const now = new Date();
    const storedFiles = staged.length ? await this.fileStore.store(staged, now) : [];
    hold(storedFiles);
    const change = await catchConflict(
      this.db.transaction(ctx, async (tx) => {
        const em = this.db.em(tx);
        const stored = await em.findOne(Ticket, { where: { id: found.id }, lock: this.db.lockMode ? { mode: this.db.lockMode } : undefined });
        if (!stored || !(await ticketVisibleIn(em, viewer, stored))) throw notFound('No such ticket');
        await this.history.touchTicket(tx, stored.id, now, viewer.user.id, { response: true, expectedVersion });
        const entry = await this.history.writeComment(tx, stored.id, viewer.user.id, body, now, CommentVisibility.PUBLIC);
        if (DONE_STATUSES.includes(stored.status) && !stored.locked && this.tickets.transitionRefusal(stored.status, TicketStatus.OPEN, true) === null) {
          await em.update(Ticket, { id: stored.id }, { status: TicketStatus.OPEN, closedAt: null, resolvedAt: null });
          await this.history.recordFieldChanges(tx, stored.id, viewer.user.id, [
            { field: TrackedField.STATUS, oldValue: enumName(TicketStatus, stored.status), newValue: enumName(TicketStatus, TicketStatus.OPEN) },
          ], now);
        }
        const files = storedFiles.length ? await this.fileStore.attach(tx, stored, storedFiles, viewer.user.id, now, entry.id) : [];
        return { entry, files };
      }),
    );
    if (!change.ok) return change;
    hold([]);
    ctx.loaders.ticketById.clear(found.id);
    ctx.loaders.ticketFiles.clear(found.id);
    return ok({ change: change.value.entry, files: change.value.files, ticket: await this.finder.requireById(ctx, found.id) });
  }
}
