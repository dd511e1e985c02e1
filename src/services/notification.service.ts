import type { EntityManager } from 'typeorm';
import { Between, In, IsNull, Not } from 'typeorm';
import type { Logger } from '../common/logger';
import { sqlDateTime } from '../db/column-types';
import type { Database } from '../db/database';
import { MailSuppression } from '../entities/mail-suppression.entity';
import { OutboxKind, type DeliveryOutcome, type OutboxMessage } from '../entities/outbox-message.entity';
import { TicketChange } from '../entities/ticket-change.entity';
import { TicketUser, TicketUserRole } from '../entities/ticket-user.entity';
import { Ticket } from '../entities/ticket.entity';
import { ACTIVE_STATUSES, ChangeType, enumName, TicketPriority, TicketStatus, TicketType } from '../entities/ticket.enums';
import { User } from '../entities/user.entity';
import { PermanentMailError, type MailTransport } from '../mail/mail-transport';
import { closedMail, createdMail, overdueMail, updatedMail, type ComposedMail, type MailTicket } from '../mail/ticket-mail.composer';
import type { OutboxService } from './outbox.service';
import type { WebhookService } from './webhook.service';
import type { TicketStreamService } from './ticket-stream.service';
import type { SnapshotValue } from './ticket-diff';

/** History entries that make an "updated" mail. */
const NOTIFYING = new Set<ChangeType>([ChangeType.CHANGE, ChangeType.COMMENT, ChangeType.COMMENT_DELETED, ChangeType.FILE_ADDED, ChangeType.FILE_REMOVED]);

/**
 * Who hears about what, by mail. Hooks run inside the transaction of the change (they only
 * write outbox rows); deliver() runs in the outbox worker after commit.
 */
export class NotificationService {
  constructor(
    private readonly db: Database,
    private readonly outbox: OutboxService,
    private readonly transport: MailTransport,
    private readonly publicUrl: string,
    private readonly log: Logger,
    private readonly webhooks: WebhookService,
    private readonly events: TicketStreamService,
  ) {}

  // ---- hooks (in the writer's transaction) ----

  /** A ticket created open, or a draft being published. */
  async ticketOpened(em: EntityManager, ticketId: number, at: Date): Promise<void> {
    await this.outbox.enqueueTicketCreated(em, ticketId, at);
    await this.webhooks.created(em, ticketId, at);
    this.events.ticketOpened(em, ticketId);
  }

  /** ticketClose with notifyRequester. */
  async requesterNotified(em: EntityManager, ticketId: number, at: Date): Promise<void> {
    await this.outbox.enqueue(em, OutboxKind.TICKET_CLOSED, ticketId, at);
  }

  /** History entries firstChangeId..lastChangeId of one type were written. */
  async changesRecorded(em: EntityManager, ticketId: number, type: ChangeType, firstChangeId: number, lastChangeId: number, at: Date): Promise<void> {
    if (NOTIFYING.has(type)) await this.outbox.touchTicketUpdated(em, ticketId, firstChangeId, at);
    await this.webhooks.changed(em, ticketId, type, firstChangeId, lastChangeId, at);
    this.events.changesRecorded(em, ticketId, firstChangeId, lastChangeId);
  }

  /** Queues today's overdue notice for every active ticket past due with an assignee. */
  async queueOverdue(now: Date): Promise<number> {
    const day = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
    const overdue = await this.db.manager
      .createQueryBuilder(Ticket, 't')
      .select('t.id', 'id')
      // Past due, or an SLA response target missed: both are overdue for the assignees.
      .where('t.deletedAt IS NULL AND t.status IN (:...active)', { active: ACTIVE_STATUSES })
      .andWhere('(t.due < :now OR (t.responseDueAt < :now AND t.firstResponseAt IS NULL))', { now })
      .andWhere((qb) => `t.id IN ${qb.subQuery().select('tu.ticketId').from(TicketUser, 'tu').where('tu.role = :assignee').getQuery()}`, { assignee: TicketUserRole.ASSIGNEE })
      .getRawMany<{ id: number }>();
    for (const { id } of overdue) await this.outbox.enqueueOverdue(this.db.manager, Number(id), day, new Date());
    return overdue.length;
  }

  // ---- delivery (in the worker) ----

  /** Composes and sends one outbox mail. Throws on failure; PermanentMailError means do not retry. */
  async deliver(row: OutboxMessage): Promise<DeliveryOutcome> {
    const ticket = row.ticketId === null ? null : await this.db.manager.findOneBy(Ticket, { id: row.ticketId, deletedAt: IsNull() });
    if (!ticket) return { skipped: 'the ticket was deleted' };
    const composed = await this.compose(row, ticket);
    if (!composed) return { skipped: 'nothing to say any more (a draft, no longer overdue, or its entries were replaced by later ones)' };
    const recipients = await this.recipients(ticket, row.kind === OutboxKind.TICKET_OVERDUE ? 'assignees' : row.kind === OutboxKind.TICKET_CLOSED ? 'requester' : 'followers');
    if (recipients.length === 0) return { skipped: 'no recipient with mail on' };
    try {
      const result = await this.transport.send({
        messageId: `<outbox.${row.id}.${ticket.id}@${domainOf(this.publicUrl)}>`,
        to: recipients,
        ...composed,
        headers: { 'X-Ticket-Number': String(ticket.number) },
      });
      await this.suppress(result.rejected, 'refused by the mail server');
    } catch (err) {
      if (err instanceof PermanentMailError) await this.suppress(err.rejected, err.message);
      throw err;
    }
  }

  private async compose(row: OutboxMessage, ticket: Ticket): Promise<ComposedMail | null> {
    const t = this.mailTicket(ticket);
    switch (row.kind) {
      case OutboxKind.TICKET_CREATED: {
        if (ticket.status === TicketStatus.DRAFT) return null;
        const creator = await this.db.manager.findOneBy(User, { id: ticket.creatorId });
        return createdMail(t, creator?.name ?? 'Someone');
      }
      case OutboxKind.TICKET_OVERDUE:
        return ACTIVE_STATUSES.includes(ticket.status) && (ticket.due || ticket.responseDueAt) ? overdueMail(t, ticket.due && ticket.due < new Date() ? null : ticket.responseDueAt) : null;
      case OutboxKind.TICKET_CLOSED:
        return closedMail(t, ticket.resolution);
      default:
        return null;
      case OutboxKind.TICKET_UPDATED: {
        const entries = await this.db.manager.find(TicketChange, {
          where: { ticketId: ticket.id, id: Between(row.fromChangeId ?? 0, row.toChangeId ?? row.fromChangeId ?? 0), type: In([...NOTIFYING]) },
          order: { id: 'ASC' },
        });
        if (entries.length === 0) return null;
        const authorIds = [...new Set(entries.map((e) => e.authorId).filter((id): id is number => id !== null))];
        const authors = new Map((await this.db.manager.findBy(User, { id: In(authorIds) })).map((u) => [u.id, u.name]));
        return updatedMail(
          t,
          entries.map((e) => ({
            type: e.type,
            field: e.field,
            oldValue: parse(e.oldValue),
            newValue: parse(e.newValue),
            body: e.body,
            authorName: (e.authorId !== null && authors.get(e.authorId)) || 'The system',
            createdAt: e.createdAt,
          })),
        );
      }
    }
  }

  /**
   * followers: notify addresses plus assignee and cc users; assignees (overdue notices); the
   * requester (closing notice). Only users with an address and mail on; suppressed addresses
   * dropped; each address once.
   */
  private async recipients(ticket: Ticket, who: 'followers' | 'assignees' | 'requester'): Promise<string[]> {
    const userIds =
      who === 'requester'
        ? ticket.requesterId === null ? [] : [ticket.requesterId]
        : (await this.db.manager.find(TicketUser, { where: { ticketId: ticket.id, ...(who === 'assignees' ? { role: TicketUserRole.ASSIGNEE } : {}) } })).map((l) => l.userId);
    const users = userIds.length
      ? await this.db.manager.findBy(User, { id: In(userIds), active: true, mailEnabled: true, email: Not(IsNull()) })
      : [];
    const all = [...(who === 'followers' ? ticket.notify : []), ...users.map((u) => u.email!)].map((a) => a.toLowerCase());
    const unique = [...new Set(all)];
    if (unique.length === 0) return [];
    const suppressed = new Set((await this.db.manager.findBy(MailSuppression, { address: In(unique) })).map((s) => s.address));
    return unique.filter((a) => !suppressed.has(a));
  }

  private async suppress(addresses: string[], reason: string): Promise<void> {
    for (const address of addresses) {
      this.log.warn({ address, reason }, 'mail address refused; no more mail goes to it');
      await this.db.manager.query(`${this.db.insertIgnore} INTO mail_suppression (address, reason, created_at) VALUES (?, ?, ?)`, [
        address.toLowerCase(),
        reason.slice(0, 500),
        sqlDateTime(new Date()),
      ]);
    }
  }

  private mailTicket(ticket: Ticket): MailTicket {
    return {
      number: ticket.number,
      subject: ticket.subject,
      body: ticket.body,
      status: enumName(TicketStatus, ticket.status),
      type: enumName(TicketType, ticket.type),
      priority: enumName(TicketPriority, ticket.priority),
      due: ticket.due,
      url: `${this.publicUrl}/tickets/${ticket.number}`,
    };
  }
}

function parse(v: string | null): SnapshotValue {
  return v === null ? null : (JSON.parse(v) as SnapshotValue);
}

function domainOf(publicUrl: string): string {
  try {
    return publicUrl ? new URL(publicUrl).hostname : 'ticket-gateway.local';
  } catch {
    return 'ticket-gateway.local';
  }
}
