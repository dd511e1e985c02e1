import crypto from 'node:crypto';
import { AppError, notFound } from '../common/errors';
import type { OutboundPolicy } from '../common/outbound-url';
import { ok, refusal, refused, UserErrorCode, type Refusal, type Result } from '../common/result';
import type { Database } from '../db/database';
import { OutboxKind } from '../entities/outbox-message.entity';
import { WebhookDelivery } from '../entities/webhook-delivery.entity';
import type { WebhookEvent } from '../entities/webhook-event.enum';
import { Webhook } from '../entities/webhook.entity';
import type { RequestContext } from '../graphql/context';
import type { CustomFieldLookup } from '../search/custom-field.filter';
import { TicketFilterCompiler } from '../search/ticket-filter.compiler';
import { parseTicketQuery } from '../search/ticket-query.parser';
import { Ticket } from '../entities/ticket.entity';
import { isServerAdmin } from './access';
import type { OutboxService } from './outbox.service';

export interface WebhookFields {
  url?: string | null;
  events?: WebhookEvent[] | null;
  query?: string | null;
  active?: boolean | null;
  requesterFacing?: boolean | null;
}

/**
 * Webhooks: admin-registered endpoints that receive signed ticket events. Active webhooks are kept
 * in memory so writes pay nothing for them (WebhookNotifier asks active()): refreshed at start, by
 * every outbox worker round (other replicas' changes arrive within a poll interval) and at once
 * after changes made here.
 */
export class WebhookService {
  private hooks: Webhook[] = [];

  constructor(
    private readonly db: Database,
    private readonly outbox: OutboxService,
    private readonly outbound: OutboundPolicy,
    private readonly customFields: CustomFieldLookup,
  ) {}

  /** The active webhooks as last refreshed. */
  active(): readonly Webhook[] {
    return this.hooks;
  }

  async refresh(): Promise<void> {
    this.hooks = await this.db.manager.find(Webhook, { where: { active: true } });
  }

  list(ctx: RequestContext): Promise<Webhook[]> {
    return this.db.em(ctx).find(Webhook, { order: { id: 'ASC' } });
  }

  /** For node(id): admins only, null for anyone else. */
  async findVisible(ctx: RequestContext, kind: 'Webhook' | 'WebhookDelivery', id: number): Promise<Webhook | WebhookDelivery | null> {
    if (!ctx.viewer || !isServerAdmin(ctx.viewer)) return null;
    return kind === 'Webhook' ? this.db.em(ctx).findOneBy(Webhook, { id }) : this.db.em(ctx).findOneBy(WebhookDelivery, { id });
  }

  deliveries(ctx: RequestContext, hook: Webhook, limit: number): Promise<WebhookDelivery[]> {
    return this.db.em(ctx).find(WebhookDelivery, { where: { webhookId: hook.id }, order: { id: 'DESC' }, take: Math.min(Math.max(limit, 1), 100) });
  }

  /** A new webhook and its signing secret (shown once). */
  async create(ctx: RequestContext, input: WebhookFields & { secret?: string | null }): Promise<Result<{ webhook: Webhook; secret: string }>> {
    const checked = this.check(input, true);
    if (!checked.ok) return checked;
    const secret = input.secret?.trim() || crypto.randomBytes(32).toString('base64url');
    if (secret.length < 16 || secret.length > 128) return refused(refusal(['input', 'secret'], UserErrorCode.INVALID, 'secret must be 16 to 128 characters'));
    const hook = this.db.em(ctx).create(Webhook, { active: true, ...checked.value, secret, createdAt: new Date() });
    await this.db.em(ctx).insert(Webhook, hook);
    await this.refresh();
    return ok({ webhook: hook, secret });
  }

  async update(ctx: RequestContext, id: number | null, input: WebhookFields): Promise<Result<Webhook>> {
    const hook = await this.require(ctx, id);
    const checked = this.check(input, false);
    if (!checked.ok) return checked;
    Object.assign(hook, checked.value);
    await this.db.em(ctx).update(Webhook, { id: hook.id }, checked.value);
    await this.refresh();
    return ok(hook);
  }

  async delete(ctx: RequestContext, id: number | null): Promise<Result<Webhook>> {
    const hook = await this.require(ctx, id);
    await this.db.em(ctx).delete(Webhook, { id: hook.id });
    await this.refresh();
    return ok(hook);
  }

  /** Sends a delivery again, as a new delivery with the same content. */
  async replay(ctx: RequestContext, deliveryId: number | null): Promise<Result<WebhookDelivery>> {
    const original = deliveryId === null ? null : await this.db.em(ctx).findOneBy(WebhookDelivery, { id: deliveryId });
    if (!original) throw notFound('No such webhook delivery');
    const now = new Date();
    const copy = await this.db.transaction(ctx, async (tx) => {
      const em = this.db.em(tx);
      const d = em.create(WebhookDelivery, { ...original, id: undefined, status: 'pending', attempts: 0, responseStatus: null, lastError: null, createdAt: now, deliveredAt: null });
      await em.insert(WebhookDelivery, d);
      await this.outbox.enqueue(tx, { kind: OutboxKind.WEBHOOK, ticketId: d.ticketId, refId: d.id, at: now });
      return d;
    });
    return ok(copy);
  }

  private async require(ctx: RequestContext, id: number | null): Promise<Webhook> {
    const hook = id === null ? null : await this.db.em(ctx).findOneBy(Webhook, { id });
    if (!hook) throw notFound('No such webhook');
    return hook;
  }

  private check(input: WebhookFields, creating: boolean): { ok: true; value: Partial<Webhook> } | { ok: false; refusals: Refusal[] } {
    const errors: Refusal[] = [];
    const value: Partial<Webhook> = {};
    if (input.url !== undefined || creating) {
      const url = input.url ?? '';
      const problem = url.length > 2000 ? 'url must be at most 2000 characters' : this.outbound.check(url);
      if (problem) errors.push(refusal(['input', 'url'], UserErrorCode.INVALID, problem));
      else value.url = url;
    }
    if (input.events !== undefined || creating) {
      if (!input.events?.length) errors.push(refusal(['input', 'events'], UserErrorCode.BLANK, 'Subscribe to at least one event'));
      else value.events = [...new Set(input.events)];
    }
    if (input.query !== undefined) {
      const query = input.query?.trim() || null;
      if (query) {
        try {
          // Compiled too (not run), so a custom field condition the type cannot read is refused now, not on every ticket write.
          new TicketFilterCompiler(this.db.manager.createQueryBuilder(Ticket, 't'), this.db.dialect, 't', this.customFields).apply(parseTicketQuery(query, { now: new Date(), username: null }));
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          errors.push(refusal(['input', 'query'], UserErrorCode.INVALID, err.message));
        }
      }
      value.query = query;
    }
    if (input.active != null) value.active = input.active;
    if (input.requesterFacing != null) value.requesterFacing = input.requesterFacing;
    return errors.length ? { ok: false, refusals: errors } : { ok: true, value };
  }
}
