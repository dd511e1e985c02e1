import type { SelectQueryBuilder } from 'typeorm';
import { badUserInput } from '../common/errors';
import { Category } from '../entities/category.entity';
import { Tag } from '../entities/tag.entity';
import { TicketTag } from '../entities/ticket-tag.entity';
import { TicketUser, TicketUserRole } from '../entities/ticket-user.entity';
import type { Ticket } from '../entities/ticket.entity';
import { User } from '../entities/user.entity';
import type {
  DateTimeFilter,
  IntFilter,
  KeyFilter,
  KeyListFilter,
  TextFilter,
  TicketFilter,
  TicketPriorityFilter,
  TicketSourceFilter,
  TicketStatusFilter,
  TicketTypeFilter,
} from '../graphql/inputs/ticket-filter.input';
import { customFieldSql, NO_CUSTOM_FIELDS, typedCondition, type CustomFieldLookup } from './custom-field.filter';
import { searchTable } from './search-index';
import { fullTextWords, mysqlAgainst, mysqlMatchColumns, sqliteMatch, type FullTextColumn } from './full-text';

/** Bounds that keep one filter from turning into a statement the database struggles to plan. */
export const FILTER_LIMITS = { maxDepth: 8, maxConditions: 200, maxListValues: 100 };

type Comparable = number | string | Date;
type Ordered<T> = { eq?: T | null; lt?: T | null; lte?: T | null; gt?: T | null; gte?: T | null };
type Listed<T> = { eq?: T | null; in?: T[] | null; notIn?: T[] | null };

const COMPARATORS = { eq: '=', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/**
 * Compiles a TicketFilter into a WHERE condition on the ticket alias of a query builder. Every
 * value becomes a bound parameter; only fixed column names and operators are written into SQL.
 * Relations (tags, people, labels, text) are IN-subqueries so the planner can start from their
 * indexes.
 */
export class TicketFilterCompiler {
  private params = 0;
  private conditions = 0;

  constructor(
    private readonly qb: SelectQueryBuilder<Ticket>,
    private readonly dialect: 'sqlite' | 'mysql',
    private readonly alias = 't',
    /** Custom field definitions, for customFields conditions (none: such conditions are refused). */
    private readonly customFields: CustomFieldLookup = NO_CUSTOM_FIELDS,
    /** Full-text over public comments only (callers who do not read internal notes; see access.seesInternalNotes). */
    private readonly publicCommentsOnly = false,
  ) {}

  /** Adds the filter's condition to the query. */
  apply(filter: TicketFilter | null | undefined): void {
    if (!filter) return;
    const sql = this.filter(filter, 0);
    if (sql !== TRUE) this.qb.andWhere(`(${sql})`);
  }

  private filter(f: TicketFilter, depth: number): string {
    if (depth > FILTER_LIMITS.maxDepth) throw badUserInput(`The filter nests deeper than ${FILTER_LIMITS.maxDepth} levels`);
    const t = this.alias;
    const parts: string[] = [];
    const add = (sql: string | null) => sql !== null && parts.push(sql);

    if (f.number) add(this.scalar(`${t}.number`, f.number as IntFilter, 'number'));
    if (f.type) add(this.scalar(`${t}.type`, f.type as TicketTypeFilter, 'type'));
    if (f.status) add(this.scalar(`${t}.status`, f.status as TicketStatusFilter, 'status'));
    if (f.priority) add(this.scalar(`${t}.priority`, f.priority as TicketPriorityFilter, 'priority'));
    if (f.category) add(this.membership(`${t}.categoryId`, f.category, 'category', (p) => this.ids(Category, 'key', p as string), true));
    if (f.creator) add(this.membership(`${t}.creatorId`, f.creator, 'creator', (p) => this.ids(User, 'username', p as string), true));
    if (f.requester) add(this.membership(`${t}.requesterId`, f.requester, 'requester', (p) => this.ids(User, 'username', p as string), true));
    if (f.server) add(this.membership(`${t}.server`, f.server, 'server', (p) => p as string, true));
    if (f.tags) add(this.membership(`${t}.id`, f.tags, 'tags', (p) => this.taggedTickets(p), false));
    if (f.assignees) add(this.membership(`${t}.id`, f.assignees, 'assignees', (p) => this.peopleTickets(TicketUserRole.ASSIGNEE, p), false));
    if (f.cc) add(this.membership(`${t}.id`, f.cc, 'cc', (p) => this.peopleTickets(TicketUserRole.CC, p), false));
    for (const column of ['text', 'subject', 'body', 'comments'] as const) {
      const text = f[column];
      if (text) add(this.text(column, text));
    }
    if (f.created) add(this.date(`${t}.createdAt`, f.created, 'created'));
    if (f.modified) add(this.date(`${t}.updatedAt`, f.modified, 'modified'));
    if (f.due) add(this.date(`${t}.due`, f.due, 'due'));
    if (f.closed) add(this.date(`${t}.closedAt`, f.closed, 'closed'));
    if (f.slaBreached != null) add(this.slaBreached(f.slaBreached));
    if (f.source) add(this.scalar(`${t}.source`, f.source as TicketSourceFilter, 'source'));
    if (f.externalId) add(this.membership(`${t}.externalId`, f.externalId, 'externalId', (p) => p as string, true));
    for (const cf of f.customFields ?? []) add(customFieldSql(typedCondition(cf, this.customFields, new Date()), `${t}.id`, (v) => this.param(v, `cf.${cf.key}`)));
    if (f.and) parts.push(this.join(f.and.map((x) => this.filter(x, depth + 1)), 'AND'));
    if (f.or) parts.push(this.join(f.or.map((x) => this.filter(x, depth + 1)), 'OR'));
    if (f.not) {
      const inner = this.filter(f.not, depth + 1);
      parts.push(inner === TRUE ? FALSE : `NOT (${inner})`);
    }
    return this.join(parts, 'AND');
  }

  /** Same rule as SlaService.of: a target passed before the response or resolution came (or now). */
  private slaBreached(value: boolean): string {
    const t = this.alias;
    const now = this.param(new Date(), 'slaBreached');
    const breached =
      `((${t}.resolutionDueAt IS NOT NULL AND ${t}.resolutionDueAt < COALESCE(${t}.resolvedAt, ${now})) OR ` +
      `(${t}.responseDueAt IS NOT NULL AND ${t}.responseDueAt < COALESCE(${t}.firstResponseAt, ${now})))`;
    return value ? breached : `NOT ${breached}`;
  }

  private join(parts: string[], op: 'AND' | 'OR'): string {
    if (parts.length === 0) return op === 'AND' ? TRUE : FALSE;
    if (parts.length === 1) return parts[0];
    return parts.map((p) => `(${p})`).join(` ${op} `);
  }

  private param(value: unknown, what: string): string {
    if (Array.isArray(value) && value.length > FILTER_LIMITS.maxListValues) {
      throw badUserInput(`${what}: at most ${FILTER_LIMITS.maxListValues} values in one list`);
    }
    if (++this.conditions > FILTER_LIMITS.maxConditions) throw badUserInput(`The filter has more than ${FILTER_LIMITS.maxConditions} conditions`);
    const name = `f${this.params++}`;
    this.qb.setParameter(name, value);
    return Array.isArray(value) ? `(:...${name})` : `:${name}`;
  }

  /** eq/in/notIn/lt/lte/gt/gte on a non-null column. */
  private scalar<T extends Comparable>(col: string, f: Ordered<T> & Listed<T>, what: string): string | null {
    const parts: string[] = [];
    for (const [op, sql] of Object.entries(COMPARATORS) as [keyof typeof COMPARATORS, string][]) {
      const v = f[op];
      if (v != null) parts.push(`${col} ${sql} ${this.param(v, what)}`);
    }
    if (f.in != null) parts.push(f.in.length === 0 ? FALSE : `${col} IN ${this.param(f.in, what)}`);
    if (f.notIn != null && f.notIn.length > 0) parts.push(`${col} NOT IN ${this.param(f.notIn, what)}`);
    return parts.length ? this.join(parts, 'AND') : null;
  }

  private date(col: string, f: DateTimeFilter, what: string): string | null {
    const parts: string[] = [];
    const ordered = this.scalar(col, f as Ordered<Date>, what);
    if (ordered) parts.push(`${col} IS NOT NULL AND ${ordered}`);
    if (f.isNull != null) parts.push(`${col} ${f.isNull ? 'IS NULL' : 'IS NOT NULL'}`);
    return parts.length ? this.join(parts, 'AND') : null;
  }

  /**
   * eq/in/notIn/isNull on a key. `sub` turns a parameter list into the set the column must be in
   * (null: every row of the relation); nullable columns (category, server) count "no value" as
   * not in any list, lists (tags, people) are empty when no row exists.
   */
  private membership(col: string, f: KeyFilter & KeyListFilter, what: string, sub: (param: string | null) => string, nullable: boolean): string | null {
    const parts: string[] = [];
    if (f.eq != null) parts.push(`${col} IN ${sub(this.param([f.eq], what))}`);
    if (f.in != null) parts.push(f.in.length === 0 ? FALSE : `${col} IN ${sub(this.param(f.in, what))}`);
    if (f.notIn != null && f.notIn.length > 0) {
      const notIn = `${col} NOT IN ${sub(this.param(f.notIn, what))}`;
      parts.push(nullable ? `(${col} IS NULL OR ${notIn})` : notIn);
    }
    if (f.isNull != null) {
      if (nullable) parts.push(`${col} ${f.isNull ? 'IS NULL' : 'IS NOT NULL'}`);
      else parts.push(`${col} ${f.isNull ? 'NOT IN' : 'IN'} ${sub(null)}`);
    }
    if (f.contains != null) {
      if (what !== 'server') throw badUserInput(`${what}: contains is only supported on server`);
      parts.push(`${col} LIKE ${this.param(`%${escapeLike(f.contains)}%`, what)} ESCAPE '!'`);
    }
    return parts.length ? this.join(parts, 'AND') : null;
  }

  private ids(entity: typeof Category | typeof Tag | typeof User, keyColumn: 'key' | 'username', param: string): string {
    return `(${this.qb.subQuery().select('k.id').from(entity, 'k').where(`k.${keyColumn} IN ${param}`).getQuery()})`;
  }

  private taggedTickets(param: string | null): string {
    const sub = this.qb.subQuery().select('tt.ticketId').from(TicketTag, 'tt');
    if (param !== null) sub.where(`tt.tagId IN ${this.ids(Tag, 'key', param)}`);
    return `(${sub.getQuery()})`;
  }

  private peopleTickets(role: TicketUserRole, param: string | null): string {
    const sub = this.qb.subQuery().select('tu.ticketId').from(TicketUser, 'tu').where(`tu.role = ${this.param(role, 'role')}`);
    if (param !== null) sub.andWhere(`tu.userId IN ${this.ids(User, 'username', param)}`);
    return `(${sub.getQuery()})`;
  }

  private text(column: FullTextColumn, f: TextFilter): string | null {
    const parts: string[] = [];
    const table = searchTable(this.publicCommentsOnly);
    for (const phrase of [false, true]) {
      const value = phrase ? f.phrase : f.contains;
      if (value == null) continue;
      const q = { column, words: fullTextWords(value, phrase), phrase };
      const match =
        this.dialect === 'sqlite'
          ? `SELECT rowid FROM ${table} WHERE ${table} MATCH ${this.param(sqliteMatch(q), column)}`
          : `SELECT ticket_id FROM ${table} WHERE MATCH(${mysqlMatchColumns(column)}) AGAINST (${this.param(mysqlAgainst(q), column)} IN BOOLEAN MODE)`;
      parts.push(`${this.alias}.id IN (${match})`);
    }
    return parts.length ? this.join(parts, 'AND') : null;
  }
}

const TRUE = '1 = 1';
const FALSE = '1 = 0';

function escapeLike(s: string): string {
  return s.replace(/[!%_]/g, (c) => `!${c}`);
}
