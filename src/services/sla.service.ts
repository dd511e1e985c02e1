import { addWorkingMinutes, isTimeZone } from '../common/business-hours';
import { notFound } from '../common/errors';
import { ok, refusal, refused, UserErrorCode, type Refusal, type Result } from '../common/result';
import type { Database, InTransaction } from '../db/database';
import { Category } from '../entities/category.entity';
import { SlaPolicy, type BusinessHours } from '../entities/sla-policy.entity';
import type { Ticket } from '../entities/ticket.entity';
import { DONE_STATUSES, type TicketPriority } from '../entities/ticket.enums';
import type { RequestContext } from '../graphql/context';

export interface SlaPolicyFields {
  name?: string | null;
  priority?: TicketPriority | null;
  category?: string | null;
  responseMinutes?: number | null;
  resolutionMinutes?: number | null;
  businessHours?: BusinessHours | null;
}

export interface TicketSla {
  policy: SlaPolicy;
  responseDueAt: Date;
  resolutionDueAt: Date;
  firstResponseAt: Date | null;
  breached: boolean;
  atRisk: boolean;
}


/** At risk: less than this share of the resolution window is left. */
const AT_RISK_SHARE = 0.25;
const MAX_MINUTES = 10 * 365 * 24 * 60;

/** SLA policies (admin-managed) and the targets they give tickets. */
export class SlaService {
  constructor(private readonly db: Database) {}

  // ---- targets ----

  /**
   * Sets a ticket's SLA targets from the policy matching its priority and category, counted from
   * its creation, and its due date to the resolution target unless the due date was set by hand.
   */
  async apply(ctx: InTransaction, ticket: Ticket): Promise<void> {
    const policy = best(await this.db.em(ctx).find(SlaPolicy), ticket.priority, ticket.categoryId);
    ticket.slaPolicyId = policy?.id ?? null;
    ticket.responseDueAt = policy ? addWorkingMinutes(ticket.createdAt, policy.responseMinutes, policy.businessHours) : null;
    ticket.resolutionDueAt = policy ? addWorkingMinutes(ticket.createdAt, policy.resolutionMinutes, policy.businessHours) : null;
    if (!ticket.dueManual && policy) ticket.due = ticket.resolutionDueAt;
  }

  async of(ctx: RequestContext, ticket: Ticket): Promise<TicketSla | null> {
    if (ticket.slaPolicyId === null || !ticket.responseDueAt || !ticket.resolutionDueAt) return null;
    const policy = await ctx.loaders.slaPolicyById.load(ticket.slaPolicyId);
    if (!policy) return null;
    const now = Date.now();
    const resolvedAt = ticket.resolvedAt?.getTime() ?? (DONE_STATUSES.includes(ticket.status) ? (ticket.closedAt?.getTime() ?? now) : now);
    const breached = ticket.resolutionDueAt.getTime() < resolvedAt || ticket.responseDueAt.getTime() < (ticket.firstResponseAt?.getTime() ?? now);
    const window = ticket.resolutionDueAt.getTime() - ticket.createdAt.getTime();
    const atRisk = !breached && !DONE_STATUSES.includes(ticket.status) && ticket.resolutionDueAt.getTime() - now < window * AT_RISK_SHARE;
    return { policy, responseDueAt: ticket.responseDueAt, resolutionDueAt: ticket.resolutionDueAt, firstResponseAt: ticket.firstResponseAt, breached, atRisk };
  }

  // ---- policies ----

  list(ctx: RequestContext): Promise<SlaPolicy[]> {
    return this.db.em(ctx).find(SlaPolicy, { order: { name: 'ASC' } });
  }

  findVisible(ctx: RequestContext, id: number): Promise<SlaPolicy | null> {
    return ctx.loaders.slaPolicyById.load(id);
  }

  async create(ctx: RequestContext, input: SlaPolicyFields): Promise<Result<SlaPolicy>> {
    const checked = await this.check(ctx, input, null);
    if (!checked.ok) return checked;
    const policy = this.db.em(ctx).create(SlaPolicy, { ...checked.value, createdAt: new Date() } as SlaPolicy);
    await this.db.em(ctx).insert(SlaPolicy, policy);
    return ok(policy);
  }

  async update(ctx: RequestContext, id: number | null, input: SlaPolicyFields): Promise<Result<SlaPolicy>> {
    const current = await this.require(ctx, id);
    const checked = await this.check(ctx, input, current);
    if (!checked.ok) return checked;
    Object.assign(current, checked.value);
    await this.db.em(ctx).update(SlaPolicy, { id: current.id }, checked.value);
    return ok(current);
  }

  /** Tickets keep the targets they were given; the policy just stops applying to new ones. */
  async delete(ctx: RequestContext, id: number | null): Promise<Result<SlaPolicy>> {
    const current = await this.require(ctx, id);
    await this.db.em(ctx).delete(SlaPolicy, { id: current.id });
    return ok(current);
  }

  private async require(ctx: RequestContext, id: number | null): Promise<SlaPolicy> {
    const found = id === null ? null : await this.db.em(ctx).findOneBy(SlaPolicy, { id });
    if (!found) throw notFound('No such SLA policy');
    return found;
  }

  /** Validates given fields; on create (current null) name and both times are required. */
  private async check(ctx: RequestContext, input: SlaPolicyFields, current: SlaPolicy | null): Promise<Result<Partial<SlaPolicy>>> {
    const errors: Refusal[] = [];
    const value: Partial<SlaPolicy> = {};
    const err = (field: string, code: UserErrorCode, message: string) => errors.push(refusal(['input', field], code, message));
    if (input.name !== undefined || !current) {
      const name = (input.name ?? '').trim();
      if (!name) err('name', UserErrorCode.BLANK, 'name must not be blank');
      else if (name.length > 100) err('name', UserErrorCode.TOO_LONG, 'name is longer than 100 characters');
      else if (name !== current?.name && (await this.db.em(ctx).existsBy(SlaPolicy, { name }))) err('name', UserErrorCode.TAKEN, `An SLA policy named "${name}" exists`);
      value.name = name;
    }
    for (const field of ['responseMinutes', 'resolutionMinutes'] as const) {
      if (input[field] === undefined && current) continue;
      const n = input[field];
      if (n == null || !Number.isInteger(n) || n < 1 || n > MAX_MINUTES) err(field, UserErrorCode.INVALID, `${field} must be a whole number of minutes from 1 to ${MAX_MINUTES}`);
      else value[field] = n;
    }
    const response = value.responseMinutes ?? current?.responseMinutes;
    const resolution = value.resolutionMinutes ?? current?.resolutionMinutes;
    if (response && resolution && response > resolution) err('responseMinutes', UserErrorCode.INVALID, 'responseMinutes must not exceed resolutionMinutes');
    if (input.priority !== undefined) value.priority = input.priority;
    if (input.category !== undefined) {
      if (input.category === null) value.categoryId = null;
      else {
        const category = await this.db.em(ctx).findOneBy(Category, { key: input.category.trim().toLowerCase() });
        if (!category) err('category', UserErrorCode.NOT_FOUND, `No category ${input.category}`);
        else value.categoryId = category.id;
      }
    }
    if (input.businessHours !== undefined) {
      const bh = input.businessHours;
      if (bh === null) value.businessHours = null;
      else {
        const time = /^([01]\d|2[0-3]):[0-5]\d$/;
        if (!isTimeZone(bh.timeZone)) err('businessHours', UserErrorCode.INVALID, `"${bh.timeZone}" is not a time zone (IANA name such as Europe/Berlin)`);
        else if (!bh.days.length || !bh.days.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)) err('businessHours', UserErrorCode.INVALID, 'days are 1 (Monday) to 7 (Sunday), at least one');
        else if (!time.test(bh.start) || !time.test(bh.end) || bh.start >= bh.end) err('businessHours', UserErrorCode.INVALID, 'start and end are HH:MM with start before end');
        else value.businessHours = { timeZone: bh.timeZone, days: [...new Set(bh.days)].sort(), start: bh.start, end: bh.end };
      }
    }
    return errors.length ? refused(...errors) : ok(value);
  }
}

/** The most specific policy for a priority and category: both match, then priority, then category, then neither. */
function best(policies: SlaPolicy[], priority: TicketPriority, categoryId: number | null): SlaPolicy | null {
  let found: SlaPolicy | null = null;
  let score = -1;
  for (const p of policies) {
    if ((p.priority !== null && p.priority !== priority) || (p.categoryId !== null && p.categoryId !== categoryId)) continue;
    const s = (p.priority !== null ? 2 : 0) + (p.categoryId !== null ? 1 : 0);
    if (s > score || (s === score && found && p.id < found.id)) {
      found = p;
      score = s;
    }
  }
  return found;
}
