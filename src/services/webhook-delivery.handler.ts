import { Between, In } from 'typeorm';
import { PermanentDeliveryError } from '../common/errors';
import { signBody } from '../common/hmac';
import { postOutbound } from '../common/outbound-post';
import type { OutboundPolicy } from '../common/outbound-url';
import type { Database } from '../db/database';
import { OutboxKind, type DeliveryOutcome, type OutboxMessage } from '../entities/outbox-message.entity';
import { CommentVisibility } from '../entities/comment-visibility.enum';
import { TicketChange } from '../entities/ticket-change.entity';
import { Ticket } from '../entities/ticket.entity';
import { TicketSource } from '../entities/ticket-source.enum';
import { ChangeType, enumName, TicketPriority, TicketStatus, TicketType } from '../entities/ticket.enums';
import { User } from '../entities/user.entity';
import { WebhookDelivery } from '../entities/webhook-delivery.entity';
import { Webhook } from '../entities/webhook.entity';
import { toGlobalId } from '../graphql/global-id';
import type { CustomFieldService } from './custom-field.service';
import type { OutboxHandler } from './outbox-handler';

const TIMEOUT_MS = 10_000;

/**
 * Sends a webhook delivery: a signed POST of the event with its history entries (previous values
 * included). A 2xx is delivered; a 4xx other than 408/429 is a refusal for good; anything else is
 * retried by the outbox with backoff. A target the outbound policy refuses (OUTBOUND_ALLOW) fails
 * at once, without details of the target.
 */
export class WebhookDeliveryHandler implements OutboxHandler {
  readonly kinds = [OutboxKind.WEBHOOK] as const;

  constructor(
    private readonly db: Database,
    private readonly outbound: OutboundPolicy,
    private readonly customFields: CustomFieldService,
  ) {}

  async deliver(row: OutboxMessage): Promise<DeliveryOutcome> {
    const delivery = await this.db.manager.findOneBy(WebhookDelivery, { id: row.refId ?? 0 });
    const hook = delivery && (await this.db.manager.findOneBy(Webhook, { id: delivery.webhookId }));
    if (!delivery || !hook) return { skipped: 'the webhook was deleted' };
    const body = JSON.stringify(await this.payload(delivery, hook.requesterFacing));
    const timestamp = Math.floor(Date.now() / 1000);

    let status: number | null = null;
    let failure: Error;
    try {
      status = await postOutbound(
        this.outbound,
        hook.url,
        {
          'content-type': 'application/json',
          'user-agent': 'ticket-gateway-webhooks',
          'x-webhook-id': toGlobalId('Webhook', hook.id),
          'x-webhook-delivery': toGlobalId('WebhookDelivery', delivery.id),
          'x-webhook-event': delivery.event,
          'x-webhook-timestamp': String(timestamp),
          'x-webhook-signature': signBody(hook.secret, timestamp, body),
        },
        body,
        TIMEOUT_MS,
      );
      if (status >= 200 && status < 300) {
        // Delivered: the worker writes this record with the settle (and retries it), never sending again.
        const delivered = { status: 'delivered', attempts: row.attempts, responseStatus: status, lastError: null, deliveredAt: new Date() };
        return { record: async () => void (await this.db.manager.update(WebhookDelivery, { id: delivery.id }, delivered)) };
      }
      failure =
        status >= 400 && status < 500 && status !== 408 && status !== 429
          ? new PermanentDeliveryError(`The endpoint refused the delivery with HTTP ${status}`)
          : new Error(`The endpoint answered HTTP ${status}`);
    } catch (err) {
      failure = err as Error;
    }
    const permanent = failure instanceof PermanentDeliveryError;
    await this.db.manager.update(WebhookDelivery, { id: delivery.id }, {
      status: permanent ? 'failed' : 'pending',
      attempts: row.attempts,
      responseStatus: status,
      lastError: failure.message.slice(0, 1000),
    });
    throw failure;
  }

  /** Marks a delivery failed once the outbox gives up on it. */
  async gaveUp(row: OutboxMessage): Promise<void> {
    if (row.refId !== null) await this.db.manager.update(WebhookDelivery, { id: row.refId }, { status: 'failed' });
  }

  /** The event; for a requester-facing webhook without internal entries (staff ones get them with visibility INTERNAL). */
  private async payload(d: WebhookDelivery, requesterFacing: boolean): Promise<unknown> {
    const ticket = await this.db.manager.findOneBy(Ticket, { id: d.ticketId });
    const entries =
      d.fromChangeId === null
        ? []
        : await this.db.manager.find(TicketChange, {
            where: { ticketId: d.ticketId, id: Between(d.fromChangeId, d.toChangeId ?? d.fromChangeId), ...(requesterFacing ? { visibility: CommentVisibility.PUBLIC } : {}) },
            order: { id: 'ASC' },
          });
    const authorIds = [...new Set(entries.map((e) => e.authorId).filter((id): id is number => id !== null))];
    const authors = new Map((authorIds.length ? await this.db.manager.findBy(User, { id: In(authorIds) }) : []).map((u) => [u.id, u.username]));
    const parse = (v: string | null) => (v === null ? null : (JSON.parse(v) as unknown));
    const customFields = ticket ? Object.fromEntries((await this.customFields.displayOf({}, ticket.id)).map((v) => [v.key, v.value])) : {};
    return {
      delivery: toGlobalId('WebhookDelivery', d.id),
      event: d.event,
      occurredAt: d.createdAt.toISOString(),
      ticket: ticket && {
        id: toGlobalId('Ticket', ticket.id),
        number: ticket.number,
        subject: ticket.subject,
        type: enumName(TicketType, ticket.type),
        status: enumName(TicketStatus, ticket.status),
        priority: enumName(TicketPriority, ticket.priority),
        server: ticket.server,
        source: enumName(TicketSource, ticket.source),
        externalId: ticket.externalId,
        due: ticket.due?.toISOString() ?? null,
        updatedAt: ticket.updatedAt.toISOString(),
        version: ticket.version,
        customFields,
      },
      changes: entries.map((e) => ({
        id: toGlobalId('Change', e.id),
        type: enumName(ChangeType, e.type),
        field: e.field,
        ...(e.customFieldKey ? { customField: e.customFieldKey } : {}),
        previous: parse(e.oldValue),
        value: parse(e.newValue),
        body: e.body,
        visibility: enumName(CommentVisibility, e.visibility),
        author: e.authorId === null ? null : (authors.get(e.authorId) ?? null),
        at: e.createdAt.toISOString(),
      })),
    };
  }
}
