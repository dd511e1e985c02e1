import { ACTIVE_STATUSES, TicketStatus } from '../entities/ticket.enums';
import type { TicketFilter } from '../graphql/inputs/ticket-filter.input';
import { OrderDirection, TicketOrderField, type TicketOrder } from '../graphql/inputs/ticket-order.input';
import { dateValue } from './ticket-query.parser';

const ACTIVE = [...ACTIVE_STATUSES];

export interface BuiltInView {
  key: string;
  name: string;
  /** The view's conditions for this caller at this moment (views are relative to both). */
  filter(username: string, now: Date): TicketFilter;
  orderBy: TicketOrder[];
}

const order = (field: TicketOrderField, direction: OrderDirection): TicketOrder[] => [{ field, direction }];

/** The views every user has, in sidebar order. Their ids are stable (see viewGlobalId). */
export const BUILT_IN_VIEWS: readonly BuiltInView[] = [
  {
    key: 'my-open',
    name: 'My open tickets',
    // Yours in any role but cc: assigned to you, created or requested by you.
    filter: (me) => ({ status: { in: ACTIVE }, or: [{ assignees: { eq: me } }, { creator: { eq: me } }, { requester: { eq: me } }] }),
    orderBy: order(TicketOrderField.MODIFIED, OrderDirection.DESC),
  },
  {
    key: 'assigned-to-me',
    name: 'Assigned to me',
    filter: (me) => ({ status: { in: ACTIVE }, assignees: { eq: me } }),
    orderBy: order(TicketOrderField.MODIFIED, OrderDirection.DESC),
  },
  {
    key: 'requested-by-me',
    name: 'Requested by me',
    filter: (me) => ({ status: { in: ACTIVE }, requester: { eq: me } }),
    orderBy: order(TicketOrderField.MODIFIED, OrderDirection.DESC),
  },
  {
    key: 'unassigned',
    name: 'Unassigned',
    filter: () => ({ status: { in: ACTIVE }, assignees: { isNull: true } }),
    orderBy: order(TicketOrderField.CREATED, OrderDirection.ASC),
  },
  {
    key: 'overdue',
    name: 'Overdue',
    filter: (_me, now) => ({ status: { in: ACTIVE }, due: { lt: now } }),
    orderBy: order(TicketOrderField.DUE, OrderDirection.ASC),
  },
  {
    key: 'due-today',
    name: 'Due today',
    filter: (_me, now) => {
      const today = dateValue('today', now);
      return { status: { in: ACTIVE }, due: { gte: today.start, lt: today.end } };
    },
    orderBy: order(TicketOrderField.DUE, OrderDirection.ASC),
  },
  {
    key: 'recently-closed',
    name: 'Recently closed',
    filter: (_me, now) => ({ status: { eq: TicketStatus.CLOSED }, closed: { gte: dateValue('now-7d', now).start } }),
    orderBy: order(TicketOrderField.MODIFIED, OrderDirection.DESC),
  },
  {
    key: 'my-drafts',
    name: 'Drafts I created',
    filter: (me) => ({ status: { eq: TicketStatus.DRAFT }, creator: { eq: me } }),
    orderBy: order(TicketOrderField.MODIFIED, OrderDirection.DESC),
  },
];

const PREFIX = 'View:';

/** Built-in views have no row: their global id names the view instead. */
export function viewGlobalId(key: string): string {
  return Buffer.from(`${PREFIX}${key}`, 'utf8').toString('base64url');
}

export function builtInViewOf(globalId: string): BuiltInView | null {
  if (globalId.length > 64 || !/^[A-Za-z0-9_-]+$/.test(globalId)) return null;
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  return decoded.startsWith(PREFIX) ? builtInView(decoded.slice(PREFIX.length)) : null;
}

export function builtInView(key: string): BuiltInView | null {
  return BUILT_IN_VIEWS.find((v) => v.key === key) ?? null;
}
