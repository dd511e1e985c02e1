import type { SelectQueryBuilder } from 'typeorm';
import { forbidden, unauthenticated } from '../common/errors';
import { Privilege } from '../entities/ticket.enums';
import type { Ticket } from '../entities/ticket.entity';
import type { User } from '../entities/user.entity';
import type { RequestContext, Viewer } from '../graphql/context';

/** The one place that says who may do what; every service method goes through it. */
export function requireViewer(ctx: RequestContext): Viewer {
  if (!ctx.viewer) throw unauthenticated();
  return ctx.viewer;
}

/**
 * The server itself, doing background work on behalf of `onBehalfOf` (whom what it writes is
 * attributed to): every privilege and category, and named by its task, so it is never mistaken
 * for a caller. What authorizes the work is its configuration (an event's ticketOnFailure ...).
 */
export function systemViewer(task: string, onBehalfOf: User): Viewer {
  return { user: onBehalfOf, privileges: new Set(Object.values(Privilege)), categoryIds: null, apiKeyId: null, system: task };
}

export function hasPrivilege(viewer: Viewer, privilege: Privilege): boolean {
  return viewer.privileges.has(Privilege.ADMIN) || viewer.privileges.has(privilege);
}

export function requirePrivilege(ctx: RequestContext, privilege: Privilege): Viewer {
  const viewer = requireViewer(ctx);
  if (!hasPrivilege(viewer, privilege)) throw forbidden(`This requires the ${privilege} privilege`);
  return viewer;
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
