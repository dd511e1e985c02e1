import crypto from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Between, In } from 'typeorm';
import { AppError, notFound, PermanentDeliveryError } from '../common/errors';
import { signBody } from '../common/hmac';
import type { Database } from '../db/database';
import { OutboxKind, OutboxMessage, OutboxStatus, type DeliveryOutcome } from '../entities/outbox-message.entity';
import { TicketChange } from '../entities/ticket-change.entity';
import { Ticket } from '../entities/ticket.entity';
import { ChangeType, enumName, Privilege, TicketPriority, TicketStatus, TicketType } from '../entities/ticket.enums';
import { User } from '../entities/user.entity';
import { WebhookDelivery } from '../entities/webhook-delivery.entity';
import { WebhookEvent } from '../entities/webhook-event.enum';
import { Webhook } from '../entities/webhook.entity';
import type { RequestContext } from '../graphql/context';
import { rowIdOf, toGlobalId } from '../graphql/global-id';
import { userError, UserErrorCode, type UserError } from '../graphql/types/user-error.type';
import { TicketFilterCompiler } from '../search/ticket-filter.compiler';
import { parseTicketQuery } from '../search/ticket-query.parser';
import { isAdmin, requirePrivilege } from './access';

/** Which history entry types make which event. */
const EVENT_OF: Partial<Record<ChangeType, WebhookEvent>> = {
  [ChangeType.CHANGE]: WebhookEvent.TICKET_UPDATED,
  [ChangeType.COMMENT]: WebhookEvent.COMMENT_ADDED,
  [ChangeType.FILE_ADDED]: WebhookEvent.FILE_ADDED,
  [ChangeType.FILE_REMOVED]: WebhookEvent.FILE_REMOVED,
};

const TIMEOUT_MS = 10_000;

export interface WebhookFields {
  url?: string | null;
  events?: WebhookEvent[] | null;
  query?: string | null;
  active?: boolean | null;
}

/**
 * Webhooks: admin-registered endpoints that receive signed ticket events. Deliveries are rows
 * written in the transaction of the change (one per matching webhook) and sent by the outbox
 * worker with its retries; the payload is built from the history entries, previous values included.
 */
export class WebhookService {
  /**
   * Active webhooks, kept in memory so writes pay nothing for them: refreshed at start, by every
   * outbox worker round (other replicas' changes arrive within a poll interval) and at once after
   * changes made here.
   */
  private hooks: Webhook[] = [];

  constructor(private readonly db: Database) {}

  // ---- in the writer's transaction ----

  /** A ticket was created (or a draft published). */
  created(em: EntityManager, ticketId: number, at: Date): Promise<void> {
    return this.enqueue(em, WebhookEvent.TICKET_CREATED, ticketId, null, null, at);
  }

  /** History entries fromChangeId..toChangeId of one type were written. */
  async changed(em: EntityManager, ticketId: number, type: ChangeType, fromChangeId: number, toChangeId: number, at: Date): Promise<void> {
    const event = EVENT_OF[type];
    if (event) await this.enqueue(em, event, ticketId, fromChangeId, toChangeId, at);
  }

  private async enqueue(em: EntityManager, event: WebhookEvent, ticketId: number, fromChangeId: number | null, toChangeId: number | null, at: Date): Promise<void> {
    const hooks = this.hooks.filter((h) => h.events.includes(event));
    if (hooks.length === 0) return;
    // Drafts announce nothing (like mail) until they are published.
    const ticket = await em.findOne(Ticket, { where: { id: ticketId }, select: { id: true, status: true } });
    if (!ticket || ticket.status === TicketStatus.DRAFT) return;
    for (const hook of hooks) {
      if (hook.query && !(await this.matches(em, hook.query, ticketId))) continue;
      const delivery = em.create(WebhookDelivery, { webhookId: hook.id, event, ticketId, fromChangeId, toChangeId, status: 'pending', attempts: 0, createdAt: at });
      await em.insert(WebhookDelivery, delivery);
      await em.insert(OutboxMessage, { kind: OutboxKind.WEBHOOK, ticketId, refId: delivery.id, dedupeKey: null, status: OutboxStatus.PENDING, attempts: 0, availableAt: at, createdAt: at });
    }
  }

  async refresh(): Promise<void> {
    this.hooks = await this.db.manager.find(Webhook, { where: { active: true } });
  }

  /** Whether the ticket (as this transaction sees it) matches the webhook's query. */
  private async matches(em: EntityManager, query: string, ticketId: number): Promise<boolean> {
    const qb = em.createQueryBuilder(Ticket, 't').where('t.id = :ticketId', { ticketId });
    new TicketFilterCompiler(qb, this.db.dialect).apply(parseTicketQuery(query, { now: new Date(), username: null }));
    return (await qb.getCount()) > 0;
  }

  // ---- delivery (outbox worker) ----

  /** Sends one delivery; throws to retry, PermanentDeliveryError (a 4xx refusal) to give up. */
  async deliver(row: OutboxMessage): Promise<DeliveryOutcome> {
    const delivery = await this.db.manager.findOneBy(WebhookDelivery, { id: row.refId ?? 0 });
    const hook = delivery && (await this.db.manager.findOneBy(Webhook, { id: delivery.webhookId }));
    if (!delivery || !hook) return { skipped: 'the webhook was deleted' };
    const body = JSON.stringify(await this.payload(delivery));
    const timestamp = Math.floor(Date.now() / 1000);

    let status: number | null = null;
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'ticket-gateway-webhooks',
          'x-webhook-id': toGlobalId('Webhook', hook.id),
          'x-webhook-delivery': toGlobalId('WebhookDelivery', delivery.id),
          'x-webhook-event': delivery.event,
          'x-webhook-timestamp': String(timestamp),
          'x-webhook-signature': signBody(hook.secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
        redirect: 'manual',
      });
      status = res.status;
      await res.body?.cancel();
      if (status >= 200 && status < 300) {
        await this.db.manager.update(WebhookDelivery, { id: delivery.id }, { status: 'delivered', attempts: row.attempts, responseStatus: status, lastError: null, deliveredAt: new Date() });
        return;
      }
      throw status >= 400 && status < 500 && status !== 408 && status !== 429
        ? new PermanentDeliveryError(`The endpoint refused the delivery with HTTP ${status}`)
        : new Error(`The endpoint answered HTTP ${status}`);
    } catch (err) {
      const permanent = err instanceof PermanentDeliveryError;
      await this.db.manager.update(WebhookDelivery, { id: delivery.id }, {
        status: permanent ? 'failed' : 'pending',
        attempts: row.attempts,
        responseStatus: status,
        lastError: (err as Error).message.slice(0, 1000),
      });
      throw err;
    }
  }

  /** Marks a delivery failed once the outbox gives up on it. */
  async gaveUp(row: OutboxMessage): Promise<void> {
    if (row.refId !== null) await this.db.manager.update(WebhookDelivery, { id: row.refId }, { status: 'failed' });
  }

  private async payload(d: WebhookDelivery): Promise<unknown> {
    const ticket = await this.db.manager.findOneBy(Ticket, { id: d.ticketId });
    const entries =
      d.fromChangeId === null
        ? []
        : await this.db.manager.find(TicketChange, { where: { ticketId: d.ticketId, id: Between(d.fromChangeId, d.toChangeId ?? d.fromChangeId) }, order: { id: 'ASC' } });
    const authorIds = [...new Set(entries.map((e) => e.authorId).filter((id): id is number => id !== null))];
    const authors = new Map((authorIds.length ? await this.db.manager.findBy(User, { id: In(authorIds) }) : []).map((u) => [u.id, u.username]));
    const parse = (v: string | null) => (v === null ? null : (JSON.parse(v) as unknown));
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
        due: ticket.due?.toISOString() ?? null,
        updatedAt: ticket.updatedAt.toISOString(),
        version: ticket.version,
      },
      changes: entries.map((e) => ({
        id: toGlobalId('Change', e.id),
        type: enumName(ChangeType, e.type),
        field: e.field,
        previous: parse(e.oldValue),
        value: parse(e.newValue),
        body: e.body,
        author: e.authorId === null ? null : (authors.get(e.authorId) ?? null),
        at: e.createdAt.toISOString(),
      })),
    };
  }

  // ---- administration ----

  async list(ctx: RequestContext): Promise<Webhook[]> {
    requirePrivilege(ctx, Privilege.ADMIN);
    return this.db.manager.find(Webhook, { order: { id: 'ASC' } });
  }

  /** For node(id): admins only, null for anyone else. */
  async findVisible(ctx: RequestContext, kind: 'Webhook' | 'WebhookDelivery', id: number): Promise<Webhook | WebhookDelivery | null> {
    if (!ctx.viewer || !isAdmin(ctx.viewer)) return null;
    return kind === 'Webhook' ? this.db.manager.findOneBy(Webhook, { id }) : this.db.manager.findOneBy(WebhookDelivery, { id });
  }

  async deliveries(ctx: RequestContext, hook: Webhook, limit: number): Promise<WebhookDelivery[]> {
    requirePrivilege(ctx, Privilege.ADMIN);
    return this.db.manager.find(WebhookDelivery, { where: { webhookId: hook.id }, order: { id: 'DESC' }, take: Math.min(Math.max(limit, 1), 100) });
  }

  async create(ctx: RequestContext, input: WebhookFields & { secret?: string | null }): Promise<{ webhook: Webhook | null; secret: string | null; userErrors: UserError[] }> {
    requirePrivilege(ctx, Privilege.ADMIN);
    const checked = this.check(input, true);
    if (!checked.ok) return { webhook: null, secret: null, userErrors: checked.errors };
    const secret = input.secret?.trim() || crypto.randomBytes(32).toString('base64url');
    if (secret.length < 16 || secret.length > 128) {
      return { webhook: null, secret: null, userErrors: [userError(['input', 'secret'], UserErrorCode.INVALID, 'secret must be 16 to 128 characters')] };
    }
    const hook = this.db.manager.create(Webhook, { active: true, ...checked.value, secret, createdAt: new Date() });
    await this.db.manager.insert(Webhook, hook);
    await this.refresh();
    return { webhook: hook, secret, userErrors: [] };
  }

  async update(ctx: RequestContext, id: string, input: WebhookFields): Promise<{ webhook: Webhook | null; userErrors: UserError[] }> {
    requirePrivilege(ctx, Privilege.ADMIN);
    const hook = await this.require(id);
    const checked = this.check(input, false);
    if (!checked.ok) return { webhook: null, userErrors: checked.errors };
    Object.assign(hook, checked.value);
    await this.db.manager.update(Webhook, { id: hook.id }, checked.value);
    await this.refresh();
    return { webhook: hook, userErrors: [] };
  }

  async delete(ctx: RequestContext, id: string): Promise<{ deletedId: string | null; userErrors: UserError[] }> {
    requirePrivilege(ctx, Privilege.ADMIN);
    const hook = await this.require(id);
    await this.db.manager.delete(Webhook, { id: hook.id });
    await this.refresh();
    return { deletedId: id, userErrors: [] };
  }

  /** Sends a delivery again, as a new delivery with the same content. */
  async replay(ctx: RequestContext, deliveryId: string): Promise<{ delivery: WebhookDelivery | null; userErrors: UserError[] }> {
    requirePrivilege(ctx, Privilege.ADMIN);
    const id = rowIdOf('WebhookDelivery', deliveryId);
    const original = id === null ? null : await this.db.manager.findOneBy(WebhookDelivery, { id });
    if (!original) throw notFound(`No webhook delivery ${deliveryId}`);
    const now = new Date();
    const copy = await this.db.transaction(async (em) => {
      const d = em.create(WebhookDelivery, { ...original, id: undefined, status: 'pending', attempts: 0, responseStatus: null, lastError: null, createdAt: now, deliveredAt: null });
      await em.insert(WebhookDelivery, d);
      await em.insert(OutboxMessage, { kind: OutboxKind.WEBHOOK, ticketId: d.ticketId, refId: d.id, dedupeKey: null, status: OutboxStatus.PENDING, attempts: 0, availableAt: now, createdAt: now });
      return d;
    });
    return { delivery: copy, userErrors: [] };
  }

  private async require(globalId: string): Promise<Webhook> {
    const id = rowIdOf('Webhook', globalId);
    const hook = id === null ? null : await this.db.manager.findOneBy(Webhook, { id });
    if (!hook) throw notFound(`No webhook ${globalId}`);
    return hook;
  }

  private check(input: WebhookFields, creating: boolean): { ok: true; value: Partial<Webhook> } | { ok: false; errors: UserError[] } {
    const errors: UserError[] = [];
    const value: Partial<Webhook> = {};
    if (input.url !== undefined || creating) {
      let ok = false;
      try {
        const u = new URL(input.url ?? '');
        ok = u.protocol === 'https:' || u.protocol === 'http:';
      } catch {
        ok = false;
      }
      if (!ok || (input.url ?? '').length > 2000) errors.push(userError(['input', 'url'], UserErrorCode.INVALID, 'url must be an http(s) URL'));
      else value.url = input.url!;
    }
    if (input.events !== undefined || creating) {
      if (!input.events?.length) errors.push(userError(['input', 'events'], UserErrorCode.BLANK, 'Subscribe to at least one event'));
      else value.events = [...new Set(input.events)];
    }
    if (input.query !== undefined) {
      const query = input.query?.trim() || null;
      if (query) {
        try {
          parseTicketQuery(query, { now: new Date(), username: null });
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          errors.push(userError(['input', 'query'], UserErrorCode.INVALID, err.message));
        }
      }
      value.query = query;
    }
    if (input.active != null) value.active = input.active;
    return errors.length ? { ok: false, errors } : { ok: true, value };
  }
}
