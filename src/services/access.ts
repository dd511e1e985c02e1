import type { SelectQueryBuilder } from 'typeorm';
import { unauthenticated } from '../common/errors';
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
  // A requester-only user (made from an e-mail address) sees the tickets it requested, nothing else.
  if (viewer.user.requesterOnly && ticket.requesterId !== viewer.user.id) return false;
  return canSeeCategory(viewer, ticket.categoryId);
}

/** The same rule as canSeeTicket, as SQL on a ticket query. */
export function scopeVisibleTickets(qb: SelectQueryBuilder<Ticket>, viewer: Viewer, alias = 't', opts: { includeDeleted?: boolean } = {}): SelectQueryBuilder<Ticket> {
  if (!opts.includeDeleted) qb.andWhere(`${alias}.deletedAt IS NULL`);
  if (viewer.user.requesterOnly) qb.andWhere(`${alias}.requesterId = :visibleRequesterId`, { visibleRequesterId: viewer.user.id });
  if (viewer.categoryIds !== null) {
    if (viewer.categoryIds.length === 0) qb.andWhere('1 = 0');
    else qb.andWhere(`${alias}.categoryId IN (:...visibleCategoryIds)`, { visibleCategoryIds: viewer.categoryIds });
  }
  return qb;
}
