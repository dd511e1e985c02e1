import { In } from 'typeorm';
import { catchConflict, ok, refusal, refused, UserErrorCode, type Refusal, type Result } from '../common/result';
import { cleanMarkdown } from '../common/text';
import type { AppConfig, MailConfig } from '../config/config';
import type { Database } from '../db/database';
import { CommentVisibility } from '../entities/comment-visibility.enum';
import { OutboxKind } from '../entities/outbox-message.entity';
import type { TicketChange } from '../entities/ticket-change.entity';
import { TicketFile } from '../entities/ticket-file.entity';
import { TicketForward } from '../entities/ticket-forward.entity';
import { ChangeType, TicketStatus } from '../entities/ticket.enums';
import type { Ticket } from '../entities/ticket.entity';
import type { RequestContext } from '../graphql/context';
import type { TicketRef } from '../graphql/global-id';
import { requireViewer } from './access';
import type { HistoryWriter } from './history-writer';
import type { OutboxService } from './outbox.service';
import type { TicketFinder } from './ticket-finder';
import { isMailAddress } from '../common/mail-address';

/** Recipients of one forward (to and cc together). */
export const MAX_FORWARD_RECIPIENTS = 20;

export interface ForwardRequest {
  to: string[];
  cc?: string[] | null;
  message?: string | null;
  /** Decoded file ids; null where an id named no file. */
  fileIds?: (number | null)[] | null;
}

/** What was forwarded: the FORWARDED history entry, and the ticket afterwards. */
export interface Forwarded {
  change: TicketChange;
  ticket: Ticket;
}

/**
 * ticketForward: the ticket's summary, public conversation and chosen files mailed to addresses
 * given by staff. Written as a ticket_forward row, a staff-only FORWARDED history entry and an
 * outbox row in one transaction; the mail is composed and sent by MailDeliveryHandler (retried,
 * suppression list honoured, surviving restarts). Internal notes are never forwarded: a forward
 * leaves the helpdesk, and what leaves it is what the requester could read.
 */
export class TicketForwardService {
  constructor(
    private readonly db: Database,
    private readonly finder: TicketFinder,
    private readonly history: HistoryWriter,
    private readonly outbox: OutboxService,
    private readonly mail: MailConfig,
    private readonly limits: AppConfig['limits'],
  ) {}

  async forward(ctx: RequestContext, ref: TicketRef | null, input: ForwardRequest): Promise<Result<Forwarded>> {
    const viewer = requireViewer(ctx);
    const ticket = await this.finder.require(ctx, ref);
    const errors: Refusal[] = [];
    const to = this.addresses(input.to, 'to', errors);
    const cc = this.addresses(input.cc ?? [], 'cc', errors).filter((a) => !to.includes(a));
    if (to.length === 0 && !errors.some((e) => e.field?.[1] === 'to')) errors.push(refusal(['input', 'to'], UserErrorCode.BLANK, 'Give at least one address to forward to'));
    if (to.length + cc.length > MAX_FORWARD_RECIPIENTS) errors.push(refusal(['input', 'to'], UserErrorCode.INVALID, `At most ${MAX_FORWARD_RECIPIENTS} recipients (to and cc together)`));
    const message = input.message == null ? null : cleanMarkdown(input.message) || null;
    if (message && Buffer.byteLength(message, 'utf8') > this.limits.bodyMaxBytes) errors.push(refusal(['input', 'message'], UserErrorCode.TOO_LONG, `message is larger than ${this.limits.bodyMaxBytes} bytes`));
    if (ticket.status === TicketStatus.DRAFT) errors.push(refusal(['id'], UserErrorCode.INVALID_TRANSITION, 'A draft is not forwarded; publish it first'));
    const fileIds = [...new Set(input.fileIds ?? [])];
    const files = await this.files(ticket, fileIds, errors);
    if (errors.length) return refused(...errors);

    const now = new Date();
    const written = await catchConflict(
      this.db.transaction(ctx, async (tx) => {
        const em = this.db.em(tx);
        await this.history.touchTicket(tx, ticket.id, now, viewer.user.id);
        const fwd = em.create(TicketForward, { ticketId: ticket.id, changeId: null, authorId: viewer.user.id, to, cc, message, fileIds: files.map((f) => f.id), createdAt: now });
        await em.insert(TicketForward, fwd);
        // Who forwarded (author) to whom (newValue) and when: staff-only, like the notes it leaves out.
        const change = await this.history.recordEntry(tx, ticket.id, ChangeType.FORWARDED, viewer.user.id, now, {
          newValue: JSON.stringify([...to, ...cc.map((a) => `cc:${a}`)]),
          body: message,
          visibility: CommentVisibility.INTERNAL,
        });
        await em.update(TicketForward, { id: fwd.id }, { changeId: change.id });
        await this.outbox.enqueue(tx, { kind: OutboxKind.TICKET_FORWARD, ticketId: ticket.id, refId: fwd.id, at: now });
        return change;
      }),
    );
    if (!written.ok) return written;
    ctx.loaders.ticketById.clear(ticket.id);
    return ok({ change: written.value, ticket: await this.finder.requireById(ctx, ticket.id) });
  }

  /** Trimmed, lower-cased, each once; invalid ones refused naming the field and the address. */
  private addresses(raw: string[], field: 'to' | 'cc', errors: Refusal[]): string[] {
    const list = [...new Set(raw.map((a) => a.trim().toLowerCase()).filter((a) => a !== ''))];
    const bad = list.filter((a) => !isMailAddress(a));
    if (bad.length) errors.push(refusal(['input', field], UserErrorCode.INVALID, `Not a valid e-mail address: ${bad.join(', ')}`));
    return list.filter((a) => !bad.includes(a));
  }

  /** The live files of this ticket named, in order; unknown ones and a total over the limit refused. */
  private async files(ticket: Ticket, ids: (number | null)[], errors: Refusal[]): Promise<TicketFile[]> {
    if (ids.length === 0) return [];
    const known = ids.filter((id): id is number => id !== null);
    const rows = known.length ? await this.db.manager.findBy(TicketFile, { id: In(known), ticketId: ticket.id }) : [];
    const live = rows.filter((f) => f.expiresAt > new Date());
    if (ids.includes(null) || live.length < known.length) {
      errors.push(refusal(['input', 'fileIds'], UserErrorCode.NOT_FOUND, 'Every file must be a current file of this ticket'));
      return [];
    }
    const total = live.reduce((n, f) => n + f.size, 0);
    if (total > this.mail.forwardMaxBytes) {
      errors.push(refusal(['input', 'fileIds'], UserErrorCode.FILE_TOO_LARGE, `The files come to ${total} bytes; a forward attaches at most ${this.mail.forwardMaxBytes} (MAIL_FORWARD_MAX_BYTES)`));
      return [];
    }
    return known.map((id) => live.find((f) => f.id === id)!);
  }
}
