import { Between, In, IsNull, Not } from 'typeorm';
import type { Logger } from '../common/logger';
import { sqlDateTime } from '../db/column-types';
import type { Database } from '../db/database';
import { MailSuppression } from '../entities/mail-suppression.entity';
import { OutboxKind, type DeliveryOutcome, type OutboxMessage } from '../entities/outbox-message.entity';
import { TicketChange } from '../entities/ticket-change.entity';
import { TicketUser, TicketUserRole } from '../entities/ticket-user.entity';
import { Ticket } from '../entities/ticket.entity';
import { ACTIVE_STATUSES, enumName, TicketPriority, TicketStatus, TicketType } from '../entities/ticket.enums';
import { User } from '../entities/user.entity';
import { PermanentMailError, type MailTransport } from '../mail/mail-transport';
import { closedMail, createdMail, overdueMail, updatedMail, type ComposedMail, type MailTicket } from '../mail/ticket-mail.composer';
import { NOTIFYING } from './mail-notifier';
import type { CustomFieldService } from './custom-field.service';
import type { OutboxHandler } from './outbox-handler';
import type { SnapshotValue } from './ticket-diff';

/**
 * Sends the mail of an outbox row: composed from the ticket as it is now (and, for "updated", the
 * entries the row covers), to its recipients minus suppressed addresses. An address the mail server
 * refuses for good is suppressed from then on.
 */
export class MailDeliveryHandler implements OutboxHandler {
  readonly kinds = [OutboxKind.TICKET_CREATED, OutboxKind.TICKET_UPDATED, OutboxKind.TICKET_OVERDUE, OutboxKind.TICKET_CLOSED] as const;

  constructor(
    private readonly db: Database,
    private readonly transport: MailTransport,
    private readonly publicUrl: string,
    private readonly log: Logger,
    private readonly customFields: CustomFieldService,
  ) {}

  /** Composes and sends one mail. Throws on failure; PermanentMailError means do not retry. */
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
      // Sent: refused addresses are written with the settle (retried), never by sending again.
      return { record: () => this.suppress(result.rejected, 'refused by the mail server') };
    } catch (err) {
      if (err instanceof PermanentMailError) await this.suppress(err.rejected, err.message);
      throw err;
    }
  }

  private async compose(row: OutboxMessage, ticket: Ticket): Promise<ComposedMail | null> {
    const t = this.mailTicket(ticket);
    t.customFields = (await this.customFields.displayOf({}, ticket.id)).map((v) => ({ title: v.title, value: v.display }));
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
            fieldTitle: e.customFieldKey ? (this.customFields.byKey(e.customFieldKey)?.title ?? e.customFieldKey) : null,
            newDisplay: e.customFieldKey ? this.customFields.displaySnapshot(e.customFieldKey, parse(e.newValue)) : null,
            oldValue: parse(e.oldValue),
            newValue: parse(e.newValue),
            body: e.body,
            authorName: (e.authorId !== null && authors.get(e.authorId)) || 'The system',
            createdAt: e.createdAt,
          })),
        );
      }
      default:
        return null;
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
    const users = userIds.length ? await this.db.manager.findBy(User, { id: In(userIds), active: true, mailEnabled: true, email: Not(IsNull()) }) : [];
    const all = [...(who === 'followers' ? ticket.notify : []), ...users.map((u) => u.email!)].map((a) => a.toLowerCase());
    const unique = [...new Set(all)];
    if (unique.length === 0) return [];
    const suppressed = new Set((await this.db.manager.findBy(MailSuppression, { address: In(unique) })).map((s) => s.address));
    return unique.filter((a) => !suppressed.has(a));
  }

  private async suppress(addresses: string[], reason: string): Promise<void> {
    for (const address of addresses) {
      this.log.warn({ address, reason }, 'mail address refused; no more mail goes to it');
      await this.db.manager.query(`${this.db.insertIgnore} INTO mail_suppression (address, reason, created_at) VALUES (?, ?, ?)`, [address.toLowerCase(), reason.slice(0, 500), sqlDateTime(new Date())]);
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
