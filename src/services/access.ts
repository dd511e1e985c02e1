import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { unauthenticated } from '../common/errors';
import { CommentVisibility } from '../entities/comment-visibility.enum';
import type { TicketChange } from '../entities/ticket-change.entity';
import { Privilege } from '../entities/ticket.enums';
import type { Ticket } from '../entities/ticket.entity';
import type { RequestContext, Viewer } from '../graphql/context';

/**
 * Who may see what. Which privilege an operation needs is declared where it is called, on the
 * resolver (@Authorized, graphql/auth-checker.ts); services keep the rules that depend on the data:
 * row visibility (categories, deleted tickets) and who may change whose comments or keys.
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

/** Whether the viewer may see tickets of this category (null: uncategorized). */
export function canSeeCategory(viewer: Viewer, categoryId: number | null): boolean {
  if (viewer.categoryIds === null) return true;
  return categoryId !== null && viewer.categoryIds.includes(categoryId);
}

/** Soft-deleted and out-of-category tickets are invisible: callers get not-found, never a hint they exist. */
export function canSeeTicket(viewer: Viewer, ticket: Ticket, opts: { includeDeleted?: boolean } = {}): boolean {
  if (ticket.deletedAt !== null && !(opts.includeDeleted && hasPrivilege(viewer, Privilege.DELETE_TICKETS))) return false;
  return canSeeCategory(viewer, ticket.categoryId);
}

/** The same rule as canSeeTicket, as SQL on a ticket query. */
export function scopeVisibleTickets(qb: SelectQueryBuilder<Ticket>, viewer: Viewer, alias = 't', opts: { includeDeleted?: boolean } = {}): SelectQueryBuilder<Ticket> {
  if (!opts.includeDeleted) qb.andWhere(`${alias}.deletedAt IS NULL`);
  if (viewer.categoryIds !== null) {
    if (viewer.categoryIds.length === 0) qb.andWhere('1 = 0');
    else qb.andWhere(`${alias}.categoryId IN (:...visibleCategoryIds)`, { visibleCategoryIds: viewer.categoryIds });
  }
  return qb;
}

/**
 * Whether the viewer reads internal notes (and the other staff-only entries: visibility changes,
 * forwards). The one rule every read path asks (history pages, node, search, the change stream,
 * subscriptions): staff, who may write notes (edit_tickets), read them; a user who only requested
 * the ticket reads public entries alone.
 */
export function seesInternalNotes(viewer: Viewer): boolean {
  return hasPrivilege(viewer, Privilege.EDIT_TICKETS);
}

/** seesInternalNotes for a stored user (mail recipients, who have no request of their own). */
export function userSeesInternalNotes(user: { privileges: readonly Privilege[] }): boolean {
  return user.privileges.includes(Privilege.ADMIN) || user.privileges.includes(Privilege.EDIT_TICKETS);
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
