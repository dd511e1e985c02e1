import { Between } from 'typeorm';
import { AppError } from '../common/errors';
import type { Database } from '../db/database';
import { CommentVisibility } from '../entities/comment-visibility.enum';
import { TicketChange } from '../entities/ticket-change.entity';
import { OutboxKind } from '../entities/outbox-message.entity';
import { Ticket } from '../entities/ticket.entity';
import { ChangeType, TicketStatus } from '../entities/ticket.enums';
import { WebhookDelivery } from '../entities/webhook-delivery.entity';
import type { Webhook } from '../entities/webhook.entity';
import { WebhookEvent } from '../entities/webhook-event.enum';
import type { RequestContext } from '../graphql/context';
import type { CustomFieldLookup } from '../search/custom-field.filter';
import { TicketFilterCompiler } from '../search/ticket-filter.compiler';
import { parseTicketQuery } from '../search/ticket-query.parser';
import type { OutboxService } from './outbox.service';
import type { TicketChangeListener } from './ticket-change-listener';
import type { WebhookService } from './webhook.service';

/** Which history entry types make which event. */
const EVENT_OF: Partial<Record<ChangeType, WebhookEvent>> = {
  [ChangeType.CHANGE]: WebhookEvent.TICKET_UPDATED,
  [ChangeType.COMMENT]: WebhookEvent.COMMENT_ADDED,
  [ChangeType.FILE_ADDED]: WebhookEvent.FILE_ADDED,
  [ChangeType.FILE_REMOVED]: WebhookEvent.FILE_REMOVED,
};

/**
 * A delivery per matching webhook, written in the change's transaction with its outbox row; the
 * payload is built from the history entries when it is sent (WebhookDeliveryHandler).
 */
export class WebhookNotifier implements TicketChangeListener {
  constructor(
    private readonly db: Database,
    private readonly webhooks: WebhookService,
    private readonly outbox: OutboxService,
    private readonly customFields: CustomFieldLookup,
  ) {}

  ticketOpened(ctx: RequestContext, ticketId: number, at: Date): Promise<void> {
    return this.enqueue(ctx, WebhookEvent.TICKET_CREATED, ticketId, null, null, at);
  }

  async changesRecorded(ctx: RequestContext, ticketId: number, type: ChangeType, firstChangeId: number, lastChangeId: number, at: Date, entry?: Pick<TicketChange, 'visibility'>): Promise<void> {
    const event = EVENT_OF[type];
    if (event) await this.enqueue(ctx, event, ticketId, firstChangeId, lastChangeId, at, entry);
  }

  /** A note made public is a new comment for requester-facing webhooks; staff ones had it as an internal note. */
  notePublished(ctx: RequestContext, ticketId: number, comment: Pick<TicketChange, 'id'>, at: Date): Promise<void> {
    return this.enqueue(ctx, WebhookEvent.COMMENT_ADDED, ticketId, comment.id, comment.id, at, { visibility: CommentVisibility.PUBLIC }, (h) => h.requesterFacing);
  }

  /** A delivery per active webhook of the event (and `only`) whose query the ticket matches. */
  private async enqueue(ctx: RequestContext, event: WebhookEvent, ticketId: number, fromChangeId: number | null, toChangeId: number | null, at: Date, entry?: Pick<TicketChange, 'visibility'>, only: (hook: Webhook) => boolean = () => true): Promise<void> {
    const hooks = this.webhooks.active().filter((h) => h.events.includes(event) && only(h));
    if (hooks.length === 0) return;
    const em = this.db.em(ctx);
    // Drafts announce nothing (like mail) until they are published.
    const ticket = await em.findOne(Ticket, { where: { id: ticketId }, select: { id: true, status: true } });
    if (!ticket || ticket.status === TicketStatus.DRAFT) return;
    // Requester-facing webhooks get nothing of internal notes; staff ones get them, marked INTERNAL.
    const onlyInternal = entry
      ? entry.visibility === CommentVisibility.INTERNAL
      : fromChangeId !== null && hooks.some((h) => h.requesterFacing) && (await this.onlyInternal(ctx, ticketId, fromChangeId, toChangeId ?? fromChangeId));
    for (const hook of hooks) {
      if (hook.requesterFacing && onlyInternal) continue;
      if (hook.query && !(await this.matches(ctx, hook.query, ticketId, hook.requesterFacing))) continue;
      const delivery = em.create(WebhookDelivery, { webhookId: hook.id, event, ticketId, fromChangeId, toChangeId, status: 'pending', attempts: 0, createdAt: at });
      await em.insert(WebhookDelivery, delivery);
      await this.outbox.enqueue(ctx, { kind: OutboxKind.WEBHOOK, ticketId, refId: delivery.id, at });
    }
  }

  /** Whether every entry of the range is staff-only (internal notes). */
  private async onlyInternal(ctx: RequestContext, ticketId: number, from: number, to: number): Promise<boolean> {
    const visible = await this.db.em(ctx).count(TicketChange, { where: { ticketId, id: Between(from, to), visibility: CommentVisibility.PUBLIC } });
    return visible === 0;
  }

  /** Whether the ticket (as this transaction sees it) matches the webhook's query. */
  private async matches(ctx: RequestContext, query: string, ticketId: number, publicCommentsOnly: boolean): Promise<boolean> {
    const qb = this.db.em(ctx).createQueryBuilder(Ticket, 't').where('t.id = :ticketId', { ticketId });
    // A requester-facing webhook's text terms see public comments only, as its receiver does.
    try {
      new TicketFilterCompiler(qb, this.db.dialect, 't', this.customFields, publicCommentsOnly).apply(parseTicketQuery(query, { now: new Date(), username: null }));
    } catch (err) {
      // A query valid when saved can stop compiling (a custom field it names was deleted or
      // retyped since): it matches nothing rather than failing the ticket write it rides on.
      if (err instanceof AppError) return false;
      throw err;
    }
    return (await qb.getCount()) > 0;
  }
}
