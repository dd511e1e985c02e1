import type { MailConfig } from '../config/config';
import type { Database } from '../db/database';
import { OutboxKind } from '../entities/outbox-message.entity';
import type { TicketChange } from '../entities/ticket-change.entity';
import { CommentVisibility } from '../entities/comment-visibility.enum';
import { TicketUser, TicketUserRole } from '../entities/ticket-user.entity';
import { Ticket } from '../entities/ticket.entity';
import { ACTIVE_STATUSES, ChangeType, TicketStatus } from '../entities/ticket.enums';
import type { RequestContext } from '../graphql/context';
import type { Privilege } from '../entities/ticket.enums';
import { userSeesInternalNotes } from './access';
import type { OutboxService } from './outbox.service';
import type { RecordedEntry, TicketChangeListener } from './ticket-change-listener';

/** History entries that make an "updated" mail. */
export const NOTIFYING = new Set<ChangeType>([ChangeType.CHANGE, ChangeType.COMMENT, ChangeType.COMMENT_DELETED, ChangeType.FILE_ADDED, ChangeType.FILE_REMOVED]);

/**
 * Which mail a change makes, as outbox rows written in the change's transaction: one "created"
 * mail per ticket, a debounced "updated" mail gathering a burst of changes, the closing notice to
 * the requester, the daily overdue notices. The mails are composed and sent after commit
 * (MailDeliveryHandler).
 */
export class MailNotifier implements TicketChangeListener {
  constructor(
    private readonly db: Database,
    private readonly outbox: OutboxService,
    private readonly config: MailConfig,
  ) {}

  /** The "created" mail to followers and the acknowledgement to the requester (both once per ticket). */
  async ticketOpened(ctx: RequestContext, ticketId: number, at: Date): Promise<void> {
    await this.outbox.enqueue(ctx, { kind: OutboxKind.TICKET_CREATED, ticketId, dedupeKey: `created:${ticketId}`, at });
    if (await this.requesterIsCustomer(ctx, ticketId)) await this.outbox.enqueue(ctx, { kind: OutboxKind.REQUESTER_ACK, ticketId, dedupeKey: `ack:${ticketId}`, at });
  }

  async changesRecorded(ctx: RequestContext, ticketId: number, type: ChangeType, firstChangeId: number, _lastChangeId: number, at: Date, entry?: RecordedEntry): Promise<void> {
    if (!NOTIFYING.has(type)) return;
    await this.outbox.enqueueDebounced(ctx, { kind: OutboxKind.TICKET_UPDATED, ticketId, fromChangeId: firstChangeId, at, delayMs: this.config.debounceMs });
    if (type === ChangeType.COMMENT && entry && (await this.isReplyToRequester(ctx, ticketId, entry))) {
      await this.outbox.enqueueDebounced(ctx, { kind: OutboxKind.REQUESTER_REPLY, ticketId, fromChangeId: firstChangeId, at, delayMs: this.config.debounceMs });
    }
  }

  /**
   * The resolution (ticketResolve) or the closing notice (ticketClose with notifyRequester): a mail
   * to the requester alone; unless the requester is `skipIfRequester` (who resolved their own ticket).
   */
  async requesterNotice(ctx: RequestContext, kind: OutboxKind.TICKET_RESOLVED | OutboxKind.TICKET_CLOSED, ticket: Pick<Ticket, 'id' | 'requesterId'>, skipIfRequester: number | null, at: Date): Promise<void> {
    if (ticket.requesterId === null || ticket.requesterId === skipIfRequester) return;
    await this.outbox.enqueue(ctx, { kind, ticketId: ticket.id, at });
  }

  /** A note made public is mailed to the requester as a reply (not on a draft, not the requester's own words); the outbox key makes it once. */
  async notePublished(ctx: RequestContext, ticketId: number, comment: Pick<TicketChange, 'id' | 'authorId'>, at: Date): Promise<void> {
    if (!(await this.requesterIsCustomer(ctx, ticketId, comment.authorId))) return;
    await this.outbox.enqueue(ctx, { kind: OutboxKind.REQUESTER_REPLY, ticketId, fromChangeId: comment.id, dedupeKey: `published:${comment.id}`, at });
  }

  /** A public comment by someone other than the requester: what the requester is mailed (never internal notes, never their own words). */
  private async isReplyToRequester(ctx: RequestContext, ticketId: number, entry: RecordedEntry): Promise<boolean> {
    if (entry.visibility !== CommentVisibility.PUBLIC) return false;
    return this.requesterIsCustomer(ctx, ticketId, entry.authorId);
  }

  /**
   * Whether the ticket's requester gets the requester's mails (acknowledgement, replies): a user who
   * does not read internal notes, on a ticket that is not a draft (drafts mail nobody; they are opened,
   * and acknowledged, when published). A staff requester reads the ticket as staff and follows its staff
   * mail when assigned or cc'd. Asked here, so no row is written only to be skipped (the delivery asks again).
   */
  private async requesterIsCustomer(ctx: RequestContext, ticketId: number, unless: number | null = null): Promise<boolean> {
    const sql = 'SELECT u.id AS id, u.privileges AS privileges FROM ticket t JOIN app_user u ON u.id = t.requester_id WHERE t.id = ? AND t.status <> ?';
    const [row] = (await this.db.em(ctx).query(sql, [ticketId, TicketStatus.DRAFT])) as { id: number; privileges: string }[];
    return !!row && Number(row.id) !== unless && !userSeesInternalNotes({ privileges: JSON.parse(row.privileges) as Privilege[] });
  }

  /**
   * Queues today's overdue notice for every active ticket past due (or past its SLA response
   * target) with an assignee; the key holds the day, so replicas running the same scan add it once.
   */
  async queueOverdue(ctx: RequestContext, now: Date): Promise<number> {
    const day = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
    const overdue = await this.db
      .em(ctx)
      .createQueryBuilder(Ticket, 't')
      .select('t.id', 'id')
      .where('t.deletedAt IS NULL AND t.status IN (:...active)', { active: ACTIVE_STATUSES })
      .andWhere('(t.due < :now OR (t.responseDueAt < :now AND t.firstResponseAt IS NULL))', { now })
      .andWhere((qb) => `t.id IN ${qb.subQuery().select('tu.ticketId').from(TicketUser, 'tu').where('tu.role = :assignee').getQuery()}`, { assignee: TicketUserRole.ASSIGNEE })
      .getRawMany<{ id: number }>();
    for (const { id } of overdue) await this.outbox.enqueue(ctx, { kind: OutboxKind.TICKET_OVERDUE, ticketId: Number(id), dedupeKey: `overdue:${id}:${day}`, at: new Date() });
    return overdue.length;
  }
}
