import { AppError, notFound } from '../common/errors';
import type { Database } from '../db/database';
import { SavedSearch, type StoredOrder } from '../entities/saved-search.entity';
import { Ticket } from '../entities/ticket.entity';
import type { ConnectionArgs } from '../graphql/args/connection.args';
import type { RequestContext } from '../graphql/context';
import type { SavedSearchRef } from '../graphql/global-id';
import { ok, refusal, refused, UserErrorCode, type Refusal, type Result } from '../common/result';
import type { SavedSearchCreateInput, SavedSearchUpdateInput } from '../graphql/inputs/saved-search.input';
import type { TicketFilter } from '../graphql/inputs/ticket-filter.input';
import { OrderDirection, TicketOrderField, type TicketOrder } from '../graphql/inputs/ticket-order.input';
import type { Page } from '../graphql/types/connection.factory';
import { BUILT_IN_VIEWS, builtInView, type BuiltInView } from '../search/built-in-views';
import { TicketFilterCompiler } from '../search/ticket-filter.compiler';
import { filterFromJson, filterToJson } from '../search/ticket-filter.json';
import { requireViewer } from './access';
import { TicketOrdering } from './ticket-order';
import type { TicketQueryService, TicketSearch } from './ticket-query.service';

export const MAX_SAVED_SEARCHES = 100;
const NAME_MAX = 100;

/** Fields of a create or update input, validated and in their stored form. */
type CheckedFields = { name?: string; query?: string | null; filter?: SavedSearch['filter']; orderBy?: StoredOrder[] | null };


/** Saved searches ("presets") of the caller, and the built-in views every user has. */
export class SavedSearchService {
  constructor(
    private readonly db: Database,
    private readonly tickets: TicketQueryService,
  ) {}

  /** Built-in views first (in sidebar order), then the caller's searches by name. */
  async list(ctx: RequestContext): Promise<SavedSearch[]> {
    const viewer = requireViewer(ctx);
    const own = await this.db.em(ctx).find(SavedSearch, { where: { userId: viewer.user.id }, order: { name: 'ASC' } });
    return [...BUILT_IN_VIEWS.map(asSavedSearch), ...own];
  }

  /** One of the caller's searches, or a built-in view. */
  async findVisible(ctx: RequestContext, ref: SavedSearchRef | null): Promise<SavedSearch | null> {
    const viewer = requireViewer(ctx);
    if (ref === null) return null;
    if ('view' in ref) {
      const view = builtInView(ref.view);
      return view && asSavedSearch(view);
    }
    return this.db.em(ctx).findOneBy(SavedSearch, { id: ref.id, userId: viewer.user.id });
  }

  /** The typed filter of a search; for built-in views it depends on the caller and the time. */
  filter(ctx: RequestContext, s: SavedSearch): TicketFilter | null {
    const view = s.builtInKey ? builtInView(s.builtInKey) : null;
    if (view) return view.filter(requireViewer(ctx).user.username, new Date());
    return s.filter ? filterFromJson(s.filter) : null;
  }

  orderBy(s: SavedSearch): TicketOrder[] {
    return s.orderBy.map((o) => ({ field: o.field as TicketOrderField, direction: o.direction as OrderDirection, customField: o.customField ?? null }));
  }

  /** Runs the search now. */
  run(ctx: RequestContext, s: SavedSearch, args: ConnectionArgs): Promise<Page<Ticket>> {
    const search: TicketSearch = { query: s.query, filter: this.filter(ctx, s), orderBy: this.orderBy(s) };
    return this.tickets.list(ctx, { ...args, ...search });
  }

  async create(ctx: RequestContext, input: SavedSearchCreateInput): Promise<Result<SavedSearch>> {
    const viewer = requireViewer(ctx);
    const fields = this.check(ctx, input);
    if (!fields.ok) return fields;
    const count = await this.db.em(ctx).countBy(SavedSearch, { userId: viewer.user.id });
    if (count >= MAX_SAVED_SEARCHES) return refused(refusal(null, UserErrorCode.INVALID, `You have ${MAX_SAVED_SEARCHES} saved searches; delete one first`));
    if (await this.nameTaken(ctx, viewer.user.id, fields.value.name!, null)) return taken(fields.value.name!);
    const now = new Date();
    const row = this.db.em(ctx).create(SavedSearch, {
      userId: viewer.user.id,
      name: fields.value.name!,
      query: fields.value.query ?? null,
      filter: fields.value.filter ?? null,
      orderBy: fields.value.orderBy ?? [],
      createdAt: now,
      updatedAt: now,
    });
    await this.db.em(ctx).insert(SavedSearch, row);
    return ok(row);
  }

  async update(ctx: RequestContext, ref: SavedSearchRef | null, input: SavedSearchUpdateInput): Promise<Result<SavedSearch>> {
    const viewer = requireViewer(ctx);
    const current = await this.requireOwn(ctx, ref);
    if (!current) return builtIn();
    const fields = this.check(ctx, input);
    if (!fields.ok) return fields;
    const v = fields.value;
    if (v.name !== undefined && v.name !== current.name && (await this.nameTaken(ctx, viewer.user.id, v.name!, current.id))) return taken(v.name!);
    const next = Object.assign(current, {
      ...(v.name !== undefined ? { name: v.name } : {}),
      ...(v.query !== undefined ? { query: v.query } : {}),
      ...(v.filter !== undefined ? { filter: v.filter } : {}),
      ...(v.orderBy !== undefined ? { orderBy: v.orderBy ?? [] } : {}),
      updatedAt: new Date(),
    });
    await this.db.em(ctx).update(SavedSearch, { id: current.id }, {
      name: next.name,
      query: next.query,
      filter: next.filter,
      orderBy: next.orderBy,
      updatedAt: next.updatedAt,
    });
    return ok(next);
  }

  async delete(ctx: RequestContext, ref: SavedSearchRef | null): Promise<Result<SavedSearch>> {
    const current = await this.requireOwn(ctx, ref);
    if (!current) return builtIn();
    await this.db.em(ctx).delete(SavedSearch, { id: current.id });
    return ok(current);
  }

  /** The caller's saved search; null for a built-in view; NOT_FOUND for anything else. */
  private async requireOwn(ctx: RequestContext, ref: SavedSearchRef | null): Promise<SavedSearch | null> {
    const found = await this.findVisible(ctx, ref);
    if (!found) throw notFound('No such saved search');
    return found.builtInKey ? null : found;
  }

  private async nameTaken(ctx: RequestContext, userId: number, name: string, exceptId: number | null): Promise<boolean> {
    const row = await this.db.em(ctx).findOneBy(SavedSearch, { userId, name });
    return row !== null && row.id !== exceptId;
  }

  /**
   * Normalizes and validates the fields given; a query or filter is checked by compiling it
   * once, so a saved search that cannot run is never stored.
   */
  private check(
    ctx: RequestContext,
    input: SavedSearchUpdateInput,
  ): Result<CheckedFields> {
    const errors: Refusal[] = [];
    const value: CheckedFields = {};
    if (input.name !== undefined) {
      const name = (input.name ?? '').trim();
      if (!name) errors.push(refusal(['input', 'name'], UserErrorCode.BLANK, 'name must not be blank'));
      else if (name.length > NAME_MAX) errors.push(refusal(['input', 'name'], UserErrorCode.TOO_LONG, `name is longer than ${NAME_MAX} characters`));
      value.name = name;
    }
    const attempt = (field: string, run: () => void) => {
      try {
        run();
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        errors.push(refusal(['input', field], UserErrorCode.INVALID, e.message));
      }
    };
    if (input.query !== undefined) {
      const query = input.query?.trim() || null;
      if (query) attempt('query', () => this.tickets.parseQuery(ctx, query));
      value.query = query;
    }
    if (input.filter !== undefined) {
      const filter = input.filter;
      if (filter) attempt('filter', () => new TicketFilterCompiler(this.db.manager.createQueryBuilder(Ticket, 't'), this.db.dialect, 't', this.tickets.customFields).apply(filter));
      value.filter = filter ? filterToJson(filter) : null;
    }
    if (input.orderBy !== undefined) {
      attempt('orderBy', () => new TicketOrdering(input.orderBy, this.tickets.customFields));
      value.orderBy = input.orderBy?.map((o) => ({ field: o.field, direction: o.direction, ...(o.customField ? { customField: o.customField } : {}) })) ?? null;
    }
    return errors.length ? refused(...errors) : ok(value);
  }
}

function asSavedSearch(view: BuiltInView): SavedSearch {
  return Object.assign(new SavedSearch(), {
    id: 0,
    userId: 0,
    name: view.name,
    query: null,
    filter: null,
    orderBy: view.orderBy.map((o) => ({ field: o.field, direction: o.direction })),
    createdAt: null,
    updatedAt: null,
    builtInKey: view.key,
  });
}

function taken<T>(name: string): Result<T> {
  return refused(refusal(['input', 'name'], UserErrorCode.TAKEN, `You already have a saved search named "${name}"`));
}

function builtIn<T>(): Result<T> {
  return refused(refusal(null, UserErrorCode.FORBIDDEN, 'Built-in views cannot be changed or deleted; save a copy as your own search'));
}
