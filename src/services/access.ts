import type { EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { unauthenticated } from '../common/errors';
import { CommentVisibility } from '../entities/comment-visibility.enum';
import type { TicketChange } from '../entities/ticket-change.entity';
import { Privilege } from '../entities/ticket.enums';
import type { Ticket } from '../entities/ticket.entity';
import { TicketUser, TicketUserRole } from '../entities/ticket-user.entity';
import type { RequestContext, Viewer } from '../graphql/context';
import type { Loaders } from '../loaders/loaders';
import type { User } from '../entities/user.entity';

/**
 * Who may see what. Which privilege an operation needs is declared where it is called, on the
 * resolver (@Authorized, graphql/auth-checker.ts); services keep the rules that depend on the data:
 * row visibility (categories, deleted tickets, own tickets only) and who may change whose comments or keys.
 */

/** The caller; signed-in operations are declared so, so this only fails where one is called wrongly. */
export function requireViewer(ctx: RequestContext): Viewer {
  if (!ctx.viewer) throw unauthenticated();
  return ctx.viewer;
}

export function hasPrivilege(viewer: Viewer, privilege: Privilege): boolean {
  return viewer.privileges.has(Privilege.ADMIN) || viewer.privileges.has(privilege);
}

export function isAdmin(viewer: Viewer): boolean {
  return viewer.privileges.has(Privilege.ADMIN);
}

/**
 * An admin with no limit on what it sees: no category restriction and not own-tickets-only, by its
 * user or by its key. Only such an admin configures the whole server (webhooks, events, custom
 * fields, SLA policies, the outbox): each of those reaches tickets of every category.
 */
export function isServerAdmin(viewer: Viewer): boolean {
  return isAdmin(viewer) && viewer.categoryIds === null && !viewer.ownTicketsOnly;
}

/** Whether a user (or a new user's categories) stays within the viewer's categories: limited to some of them, when the viewer is limited. */
export function coversCategoriesOf(viewer: Viewer, user: Pick<User, 'categoryIds'>): boolean {
  const seen = viewer.categoryIds;
  return seen === null || (user.categoryIds !== null && user.categoryIds.every((id) => seen.includes(id)));
}

/**
 * Whether an admin's limit covers this user: an unlimited admin covers everyone; one limited to
 * categories only users limited to some of them, one limited to own tickets only users who are too.
 * A limited admin changes (userUpdate) and reads the address, mail setting and keys of those only.
 */
export function adminCovers(viewer: Viewer, user: Pick<User, 'categoryIds' | 'ownTicketsOnly'>): boolean {
  return isAdmin(viewer) && coversCategoriesOf(viewer, user) && (!viewer.ownTicketsOnly || user.ownTicketsOnly);
}

/** Whether the viewer may see tickets of this category (null: uncategorized). */
export function canSeeCategory(viewer: Viewer, categoryId: number | null): boolean {
  if (viewer.categoryIds === null) return true;
  return categoryId !== null && viewer.categoryIds.includes(categoryId);
}

/** How canSeeTicket judges a ticket. */
export interface TicketVisibilityOptions {
  includeDeleted?: boolean;
  /**
   * The ticket's assignee and cc user ids, for own-tickets-only viewers. Omitted: only the creator
   * and the requester count, so a caller that does not load them fails closed (ticketVisible loads them).
   */
  participantIds?: readonly number[];
}

/** Own tickets: the viewer requested or created it, or is assigned or cc'd on it. */
export function ownsTicket(viewer: Viewer, ticket: Pick<Ticket, 'creatorId' | 'requesterId'>, participantIds: readonly number[] = []): boolean {
  const me = viewer.user.id;
  return ticket.creatorId === me || ticket.requesterId === me || participantIds.includes(me);
}

/**
 * Soft-deleted, out-of-category and (for own-tickets-only viewers) other people's tickets are
 * invisible: callers get not-found, never a hint they exist.
 */
export function canSeeTicket(viewer: Viewer, ticket: Ticket, opts: TicketVisibilityOptions = {}): boolean {
  if (ticket.deletedAt !== null && !(opts.includeDeleted && hasPrivilege(viewer, Privilege.DELETE_TICKETS))) return false;
  // A requester-only user (made from an e-mail address) sees the tickets it requested, nothing else.
  if (viewer.user.requesterOnly && ticket.requesterId !== viewer.user.id) return false;
  if (!canSeeCategory(viewer, ticket.categoryId)) return false;
  return !viewer.ownTicketsOnly || ownsTicket(viewer, ticket, opts.participantIds);
}

/**
 * canSeeTicket with the ticket's assignees and cc loaded (through the request's loaders) when the
 * rule needs them: only for an own-tickets-only viewer who neither created nor requested it.
 */
export function ticketVisible(ctx: RequestContext, viewer: Viewer, ticket: Ticket, opts: Omit<TicketVisibilityOptions, 'participantIds'> = {}): Promise<boolean> {
  return visibleWithParticipants(viewer, ticket, opts, () => ticketParticipantIds(ctx.loaders, ticket.id));
}

/** ticketVisible inside a transaction: the assignees and cc are read with its EntityManager (the row as locked, not the loaders' copy). */
export function ticketVisibleIn(em: EntityManager, viewer: Viewer, ticket: Ticket, opts: Omit<TicketVisibilityOptions, 'participantIds'> = {}): Promise<boolean> {
  return visibleWithParticipants(viewer, ticket, opts, async () =>
    (await em.find(TicketUser, { where: { ticketId: ticket.id, userId: viewer.user.id }, select: { userId: true } })).map((l) => l.userId),
  );
}

/** canSeeTicket, reading the assignees and cc (`participants`) only when the own-tickets rule is all that stands in the way. */
async function visibleWithParticipants(viewer: Viewer, ticket: Ticket, opts: Omit<TicketVisibilityOptions, 'participantIds'>, participants: () => Promise<number[]>): Promise<boolean> {
  if (canSeeTicket(viewer, ticket, opts)) return true;
  if (!viewer.ownTicketsOnly || !canSeeTicket({ ...viewer, ownTicketsOnly: false }, ticket, opts)) return false;
  return canSeeTicket(viewer, ticket, { ...opts, participantIds: await participants() });
}

/** The ids of a ticket's assignees and cc (one batched statement for every ticket of the tick). */
export async function ticketParticipantIds(loaders: Loaders, ticketId: number): Promise<number[]> {
  const [assignees, cc] = await Promise.all([
    loaders.ticketUsers.load({ ticketId, role: TicketUserRole.ASSIGNEE }),
    loaders.ticketUsers.load({ ticketId, role: TicketUserRole.CC }),
  ]);
  return [...assignees, ...cc].map((u) => u.id);
}

/**
 * The own-tickets rule as SQL on raw column names (for UPDATEs, where query-builder property
 * paths are not available): `columns` names the ticket row's columns; the parameter is :ownTicketsViewer.
 */
export function ownTicketsSql(columns: { id: string; creatorId: string; requesterId: string }): string {
  return `(${columns.creatorId} = :ownTicketsViewer OR ${columns.requesterId} = :ownTicketsViewer OR ${columns.id} IN (SELECT otu.ticket_id FROM ticket_user otu WHERE otu.user_id = :ownTicketsViewer))`;
}

/** The same rule as canSeeTicket, as SQL on a ticket query. */
export function scopeVisibleTickets(qb: SelectQueryBuilder<Ticket>, viewer: Viewer, alias = 't', opts: { includeDeleted?: boolean } = {}): SelectQueryBuilder<Ticket> {
  if (!opts.includeDeleted) qb.andWhere(`${alias}.deletedAt IS NULL`);
  if (viewer.user.requesterOnly) qb.andWhere(`${alias}.requesterId = :visibleRequesterId`, { visibleRequesterId: viewer.user.id });
  if (viewer.categoryIds !== null) {
    if (viewer.categoryIds.length === 0) qb.andWhere('1 = 0');
    else qb.andWhere(`${alias}.categoryId IN (:...visibleCategoryIds)`, { visibleCategoryIds: viewer.categoryIds });
  }
  if (viewer.ownTicketsOnly) {
    qb.andWhere(
      (q) => `(${alias}.creatorId = :ownTicketsViewer OR ${alias}.requesterId = :ownTicketsViewer OR ${alias}.id IN ${q.subQuery().select('otu.ticketId').from(TicketUser, 'otu').where('otu.userId = :ownTicketsViewer').getQuery()})`,
      { ownTicketsViewer: viewer.user.id },
    );
  }
  return qb;
}

/** Who reads internal notes: staff who may write them, and admins. */
const NOTE_READERS = [Privilege.ADMIN, Privilege.EDIT_TICKETS] as const;

/**
 * Whether the viewer reads internal notes (and the other staff-only entries: visibility changes,
 * forwards). The one rule every read path asks (history pages, node, search, the change stream,
 * subscriptions): staff, who may write notes (edit_tickets), read them; a user who only requested
 * the ticket reads public entries alone.
 */
export function seesInternalNotes(viewer: Viewer): boolean {
  return NOTE_READERS.some((p) => viewer.privileges.has(p));
}

/** seesInternalNotes for a stored user (mail recipients, who have no request of their own). */
export function userSeesInternalNotes(user: { privileges: readonly Privilege[] }): boolean {
  return NOTE_READERS.some((p) => user.privileges.includes(p));
}

/** Whether the viewer may read this history entry (its ticket being visible to them). */
export function canSeeChange(viewer: Viewer, change: Pick<TicketChange, 'visibility'>): boolean {
  return change.visibility !== CommentVisibility.INTERNAL || seesInternalNotes(viewer);
}

/** The same rule as canSeeChange, as SQL on a history query (alias of ticket_change). */
export function scopeVisibleChanges<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, viewer: Viewer, alias = 'c'): SelectQueryBuilder<T> {
  if (!seesInternalNotes(viewer)) qb.andWhere(`${alias}.visibility = :publicVisibility`, { publicVisibility: CommentVisibility.PUBLIC });
  return qb;
}
