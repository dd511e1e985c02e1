import type { Database } from '../db/database';
import { forbidden, notFound } from '../common/errors';
import { Ticket } from '../entities/ticket.entity';
import { TicketUserRole } from '../entities/ticket-user.entity';
import { DONE_STATUSES, Privilege, TicketStatus, TrackedField, enumName } from '../entities/ticket.enums';
import type { RequestContext } from '../graphql/context';
import { userError, UserErrorCode } from '../graphql/types/user-error.type';
import { canSeeTicket, hasPrivilege, requireViewer } from './access';
import { conflictError, type ChangeResult, type ChangeService } from './change.service';
import { TicketChange } from '../entities/ticket-change.entity';
import type { NotificationService } from './notification.service';
import type { TicketResult, TicketService } from './ticket.service';

/**
 * Helpdesk workflow actions. Each is a ticket update with a fixed target status, checked against
 * the configured workflow (TicketService.transitionRefusal), plus what the action records in the
 * same transaction: the resolution, a closing or reopening comment, a mail to the requester.
 */
export class TicketWorkflowService {
  constructor(
    private readonly db: Database,
    private readonly tickets: TicketService,
    private readonly changes: ChangeService,
    private readonly notifications: NotificationService,
  ) {}

  /** Assigns the caller and, from open or on hold, starts the work (in progress). */
  async pickUp(ctx: RequestContext, id: string, expectedVersion?: number | null): Promise<TicketResult> {
    const viewer = requireViewer(ctx);
    const ticket = await this.tickets.requireTicket(ctx, id);
    const assignees = (await ctx.loaders.ticketUsers.load({ ticketId: ticket.id, role: TicketUserRole.ASSIGNEE })).map((u) => u.username);
    const start = ticket.status === TicketStatus.OPEN || ticket.status === TicketStatus.ON_HOLD;
    return this.tickets.update(ctx, id, {
      assignees: assignees.includes(viewer.user.username) ? undefined : [...assignees, viewer.user.username],
      status: start ? TicketStatus.IN_PROGRESS : undefined,
      expectedVersion,
    });
  }

  async resolve(ctx: RequestContext, id: string, input: { resolution: string; expectedVersion?: number | null }): Promise<TicketResult> {
    const viewer = requireViewer(ctx);
    const resolution = this.changes.cleanCommentBody(input.resolution, 'resolution');
    if (typeof resolution !== 'string') return { ticket: null, userErrors: [resolution] };
    return this.tickets.update(ctx, id, { status: TicketStatus.RESOLVED, expectedVersion: input.expectedVersion }, {
      set: { resolution, resolvedAt: new Date(), resolvedById: viewer.user.id },
    });
  }

  async close(ctx: RequestContext, id: string, input: { comment?: string | null; notifyRequester?: boolean | null; expectedVersion?: number | null }): Promise<TicketResult> {
    const viewer = requireViewer(ctx);
    const comment = input.comment ? this.changes.cleanCommentBody(input.comment, 'comment') : null;
    if (comment !== null && typeof comment !== 'string') return { ticket: null, userErrors: [comment] };
    return this.tickets.update(ctx, id, { status: TicketStatus.CLOSED, expectedVersion: input.expectedVersion }, {
      after: async (em, ticket, at) => {
        if (comment) await this.changes.writeComment(em, ticket.id, viewer.user.id, comment, at);
        if (input.notifyRequester) await this.notifications.requesterNotified(em, ticket.id, at);
      },
    });
  }

  async reopen(ctx: RequestContext, id: string, input: { reason: string; expectedVersion?: number | null }): Promise<TicketResult> {
    const viewer = requireViewer(ctx);
    const reason = this.changes.cleanCommentBody(input.reason, 'reason');
    if (typeof reason !== 'string') return { ticket: null, userErrors: [reason] };
    const ticket = await this.tickets.requireTicket(ctx, id);
    if (!DONE_STATUSES.includes(ticket.status)) {
      return { ticket: null, userErrors: [userError(['id'], UserErrorCode.INVALID_TRANSITION, `Only resolved or closed tickets reopen; this one is ${enumName(TicketStatus, ticket.status).toLowerCase()}`)] };
    }
    return this.tickets.update(ctx, id, { status: TicketStatus.OPEN, expectedVersion: input.expectedVersion }, {
      after: (em, t, at) => this.changes.writeComment(em, t.id, viewer.user.id, `Reopened: ${reason}`, at).then(() => undefined),
    });
  }

  /**
   * A comment by the requester (who needs no edit privilege). It reopens a resolved or closed
   * ticket unless an agent locked it.
   */
  async reply(ctx: RequestContext, id: string, rawBody: string, expectedVersion: number | null = null): Promise<ChangeResult & { ticket: Ticket | null }> {
    const viewer = requireViewer(ctx);
    const found = await this.tickets.requireTicket(ctx, id);
    if (found.requesterId !== viewer.user.id && !hasPrivilege(viewer, Privilege.ADMIN)) throw forbidden('Only the requester of a ticket can reply to it');
    const body = this.changes.cleanCommentBody(rawBody);
    if (typeof body !== 'string') return { change: null, ticket: null, userErrors: [body] };
    const now = new Date();
    const change = await this.db.transaction(async (em) => {
      const stored = await em.findOne(Ticket, { where: { id: found.id }, lock: this.db.lockMode ? { mode: this.db.lockMode } : undefined });
      if (!stored || !canSeeTicket(viewer, stored)) throw notFound(`No ticket ${id}`);
      await this.changes.touchTicket(em, stored.id, now, viewer.user.id, { response: true, expectedVersion });
      const entry = await this.changes.writeComment(em, stored.id, viewer.user.id, body, now);
      if (DONE_STATUSES.includes(stored.status) && !stored.locked && this.tickets.transitionRefusal(stored.status, TicketStatus.OPEN, true) === null) {
        await em.update(Ticket, { id: stored.id }, { status: TicketStatus.OPEN, closedAt: null, resolvedAt: null });
        await this.changes.recordFieldChanges(em, stored.id, viewer.user.id, [
          { field: TrackedField.STATUS, oldValue: enumName(TicketStatus, stored.status), newValue: enumName(TicketStatus, TicketStatus.OPEN) },
        ], now);
      }
      return entry;
    }).catch((err: unknown) => conflictError(err));
    if (!(change instanceof TicketChange)) return { change: null, ticket: null, userErrors: [change] };
    ctx.loaders.ticketById.clear(found.id);
    return { change, ticket: await this.tickets.findVisibleById(ctx, found.id), userErrors: [] };
  }
}
