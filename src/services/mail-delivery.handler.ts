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
import { buffer } from 'node:stream/consumers';
import { CommentVisibility } from '../entities/comment-visibility.enum';
import { TicketFile } from '../entities/ticket-file.entity';
import { TicketForward } from '../entities/ticket-forward.entity';
import { PermanentMailError, type MailTransport, type OutgoingMail } from '../mail/mail-transport';
import { acknowledgementMail, forwardMail, replyMail, resolvedMail, type PublicReply } from '../mail/requester-mail.composer';
import type { FileStorage } from '../storage/file-storage';
import { userSeesInternalNotes } from './access';
import { closedMail, createdMail, overdueMail, updatedMail, type ComposedMail, type MailTicket } from '../mail/ticket-mail.composer';
import { NOTIFYING } from './mail-notifier';
import type { CustomFieldService } from './custom-field.service';
import type { OutboxHandler } from './outbox-handler';
import type { SnapshotValue } from './ticket-diff';
import { isMailAddress } from '../common/mail-address';

/**
 * Sends the mail of an outbox row: composed from the ticket as it is now (and, for "updated", the
 * entries the row covers), to its recipients minus suppressed addresses. An address the mail server
 * refuses for good is suppressed from then on.
 */
export class MailDeliveryHandler implements OutboxHandler {
  readonly kinds = [
    OutboxKind.TICKET_CREATED, OutboxKind.TICKET_UPDATED, OutboxKind.TICKET_OVERDUE, OutboxKind.TICKET_CLOSED,
    OutboxKind.TICKET_RESOLVED, OutboxKind.REQUESTER_ACK, OutboxKind.REQUESTER_REPLY, OutboxKind.TICKET_FORWARD,
  ] as const;

  constructor(
    private readonly db: Database,
    private readonly transport: MailTransport,
    private readonly publicUrl: string,
    private readonly log: Logger,
    private readonly customFields: CustomFieldService,
    private readonly storage: FileStorage | null = null,
  ) {}

  /** Composes and sends one mail. Throws on failure; PermanentMailError means do not retry. */
  async deliver(row: OutboxMessage): Promise<DeliveryOutcome> {
    const ticket = row.ticketId === null ? null : await this.db.manager.findOneBy(Ticket, { id: row.ticketId, deletedAt: IsNull() });
    if (!ticket) return { skipped: 'the ticket was deleted' };
    if (row.kind === OutboxKind.TICKET_FORWARD) return this.forward(row, ticket);
    const composed = await this.compose(row, ticket);
    if (!composed) return { skipped: 'nothing to say any more (a draft, no longer overdue, or its entries were replaced by later ones)' };
    const recipients = await this.recipients(ticket, audienceOf(row.kind), composed.internal ?? false);
    if (recipients.length === 0) return { skipped: 'no recipient with mail on' };
    return this.send(row, ticket, { to: recipients, subject: composed.subject, text: composed.text, html: composed.html });
  }

  /** Sends, recording refused addresses in the suppression list. */
  private async send(row: OutboxMessage, ticket: Ticket, mail: Omit<OutgoingMail, 'messageId' | 'headers'>): Promise<DeliveryOutcome> {
    try {
      const result = await this.transport.send({
        messageId: `<outbox.${row.id}.${ticket.id}@${domainOf(this.publicUrl)}>`,
        ...mail,
        headers: { 'X-Ticket-Number': String(ticket.number) },
      });
      // Sent: refused addresses are written with the settle (retried), never by sending again.
      return { record: () => this.suppress(result.rejected, 'refused by the mail server') };
    } catch (err) {
      if (err instanceof PermanentMailError) await this.suppress(err.rejected, err.message);
      throw err;
    }
  }

  /**
   * A forward: the summary, the public conversation and the chosen files (read now, on every
   * attempt) to the addresses given, minus suppressed ones. Internal notes are never included.
   */
  private async forward(row: OutboxMessage, ticket: Ticket): Promise<DeliveryOutcome> {
    const fwd = await this.db.manager.findOneBy(TicketForward, { id: row.refId ?? 0 });
    if (!fwd) return { skipped: 'the forward is gone' };
    const to = await this.deliverable(fwd.to);
    const cc = (await this.deliverable(fwd.cc)).filter((a) => !to.includes(a));
    if (to.length + cc.length === 0) return { skipped: 'every address is suppressed' };
    const files = fwd.fileIds.length ? await this.db.manager.findBy(TicketFile, { id: In(fwd.fileIds), ticketId: ticket.id }) : [];
    const attachments: NonNullable<OutgoingMail['attachments']> = [];
    for (const id of fwd.fileIds) {
      const file = files.find((f) => f.id === id);
      // A file removed (or expired) since the forward was asked for is left out, and the mail says so by its list.
      const stream = file && this.storage ? await this.storage.open(file.storageKey) : null;
      if (!file || !stream) continue;
      attachments.push({ filename: file.filename, contentType: file.contentType, content: await buffer(stream) });
    }
    const forwarder = fwd.authorId === null ? null : await this.db.manager.findOneBy(User, { id: fwd.authorId });
    const composed = forwardMail(this.mailTicket(ticket), forwarder?.name ?? 'Someone', fwd.message, await this.publicReplies(ticket, null, null), attachments.map((a) => a.filename));
    return this.send(row, ticket, { to: to.length ? to : cc, cc: to.length ? cc : [], ...composed, attachments });
  }

  /** Public comments of the ticket (between the ids, when given), optionally without those of one author. */
  private async publicReplies(ticket: Ticket, range: [number, number] | null, excludeAuthorId: number | null): Promise<PublicReply[]> {
    const entries = await this.db.manager.find(TicketChange, {
      where: { ticketId: ticket.id, type: ChangeType.COMMENT, visibility: CommentVisibility.PUBLIC, ...(range ? { id: Between(range[0], range[1]) } : {}) },
      order: { id: 'ASC' },
    });
    const shown = entries.filter((e) => excludeAuthorId === null || e.authorId !== excludeAuthorId);
    const names = await this.authorNames(shown);
    return shown.map((e) => ({ authorName: (e.authorId !== null && names.get(e.authorId)) || 'The system', createdAt: e.createdAt, body: e.body ?? '' }));
  }

  private async authorNames(entries: TicketChange[]): Promise<Map<number, string>> {
    const ids = [...new Set(entries.map((e) => e.authorId).filter((id): id is number => id !== null))];
    return new Map((ids.length ? await this.db.manager.findBy(User, { id: In(ids) }) : []).map((u) => [u.id, u.name]));
  }

  private async compose(row: OutboxMessage, ticket: Ticket): Promise<(ComposedMail & { internal?: boolean }) | null> {
    const t = this.mailTicket(ticket);
    t.customFields = (await this.customFields.displayOf({}, ticket.id)).map((v) => ({ title: v.title, value: v.display }));
    switch (row.kind) {
      case OutboxKind.REQUESTER_ACK:
        return ticket.status === TicketStatus.DRAFT ? null : acknowledgementMail(t);
      case OutboxKind.REQUESTER_REPLY: {
        const replies = await this.publicReplies(ticket, [row.fromChangeId ?? 0, row.toChangeId ?? row.fromChangeId ?? 0], ticket.requesterId);
        return replies.length ? replyMail(t, replies) : null;
      }
      case OutboxKind.TICKET_RESOLVED:
        return ticket.resolution ? resolvedMail(t, ticket.resolution, ticket.locked) : null;
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
        const authors = await this.authorNames(entries);
        const internal = entries.some((e) => e.visibility === CommentVisibility.INTERNAL);
        const mail = updatedMail(
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
            internal: e.visibility === CommentVisibility.INTERNAL,
          })),
        );
        return { ...mail, internal };
      }
      default:
        return null;
    }
  }

  /**
   * followers (staff mail): notify addresses plus assignee and cc users; a user who does not read
   * internal notes is left out of a mail that has one, and a requester who does not read them
   * gets the requester's mails instead. assignees: overdue notices. customer: the requester, when
   * they do not read internal notes (acknowledgement, replies; staff requesters follow the staff
   * mail). requester: the requester whoever they are (resolution, closing notice, asked for by
   * staff). Only users with an address and mail on; suppressed addresses dropped; each address once.
   */
  private async recipients(ticket: Ticket, who: Audience, internal: boolean): Promise<string[]> {
    const requesterOnly = who === 'requester' || who === 'customer';
    const userIds = requesterOnly
      ? ticket.requesterId === null ? [] : [ticket.requesterId]
      : (await this.db.manager.find(TicketUser, { where: { ticketId: ticket.id, ...(who === 'assignees' ? { role: TicketUserRole.ASSIGNEE } : {}) } })).map((l) => l.userId);
    let users = userIds.length ? await this.db.manager.findBy(User, { id: In(userIds), active: true, mailEnabled: true, email: Not(IsNull()) }) : [];
    if (who === 'customer') users = users.filter((u) => !userSeesInternalNotes(u));
    if (who === 'followers') users = users.filter((u) => userSeesInternalNotes(u) || (!internal && u.id !== ticket.requesterId));
    return this.deliverable([...(who === 'followers' ? ticket.notify : []), ...users.map((u) => u.email!)]);
  }

  /**
   * Lower-cased, each once, without suppressed addresses, nor addresses the one address rule refuses
   * (stored before it): a mailer would read "a,b@x" as two recipients.
   */
  private async deliverable(addresses: string[]): Promise<string[]> {
    const malformed = addresses.filter((a) => !isMailAddress(a));
    if (malformed.length) this.log.warn({ addresses: malformed }, 'not mailing addresses that break the address rule (stored before it); correct them with userUpdate');
    const unique = [...new Set(addresses.filter(isMailAddress).map((a) => a.toLowerCase()))];
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

type Audience = 'followers' | 'assignees' | 'customer' | 'requester';

function audienceOf(kind: OutboxKind): Audience {
  switch (kind) {
    case OutboxKind.TICKET_OVERDUE:
      return 'assignees';
    case OutboxKind.REQUESTER_ACK:
    case OutboxKind.REQUESTER_REPLY:
      return 'customer';
    case OutboxKind.TICKET_CLOSED:
    case OutboxKind.TICKET_RESOLVED:
      return 'requester';
    default:
      return 'followers';
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
