import type { Database } from '../db/database';
import { Category } from '../entities/category.entity';
import { GroupMember } from '../entities/group-member.entity';
import type { Tag } from '../entities/tag.entity';
import { TicketSequence } from '../entities/ticket-sequence.entity';
import { TicketTag } from '../entities/ticket-tag.entity';
import { TicketUser, TicketUserRole } from '../entities/ticket-user.entity';
import type { Ticket } from '../entities/ticket.entity';
import { UserGroup } from '../entities/user-group.entity';
import type { User } from '../entities/user.entity';
import type { RequestContext } from '../graphql/context';

export const TICKET_SEQUENCE = 'ticket';

/** What a ticket links to, as history entries compare it. */
export interface TicketLinksState {
  category: Category | null;
  tags: Tag[];
  assignees: User[];
  cc: User[];
}

/**
 * A ticket's rows beside its own: its number, its people (assignees and cc, in order), its tags,
 * and who gets it by round-robin auto-assignment. Inside the caller's transaction.
 */
export class TicketLinks {
  constructor(private readonly db: Database) {}

  /** Next ticket number. The UPDATE takes the counter's row lock until commit, so concurrent creates queue. */
  async nextNumber(ctx: RequestContext): Promise<number> {
    const em = this.db.em(ctx);
    await em.createQueryBuilder().update(TicketSequence).set({ counter: () => 'counter + 1' }).where('name = :name', { name: TICKET_SEQUENCE }).execute();
    return (await em.findOneByOrFail(TicketSequence, { name: TICKET_SEQUENCE })).counter;
  }

  async load(ctx: RequestContext, ticket: Ticket): Promise<TicketLinksState> {
    const em = this.db.em(ctx);
    const [category, userLinks, tagLinks] = await Promise.all([
      ticket.categoryId === null ? null : em.findOneBy(Category, { id: ticket.categoryId }),
      em.find(TicketUser, { where: { ticketId: ticket.id }, relations: { user: true }, order: { position: 'ASC' } }),
      em.find(TicketTag, { where: { ticketId: ticket.id }, relations: { tag: true }, order: { position: 'ASC' } }),
    ]);
    const usersIn = (role: TicketUserRole) => userLinks.filter((l) => l.role === role).map((l) => l.user as User);
    return { category, tags: tagLinks.map((l) => l.tag as Tag), assignees: usersIn(TicketUserRole.ASSIGNEE), cc: usersIn(TicketUserRole.CC) };
  }

  async writeUsers(ctx: RequestContext, ticketId: number, role: TicketUserRole, users: User[], replace = false): Promise<void> {
    const em = this.db.em(ctx);
    if (replace) await em.delete(TicketUser, { ticketId, role });
    if (users.length) await em.insert(TicketUser, users.map((u, position) => ({ ticketId, role, userId: u.id, position })));
  }

  async writeTags(ctx: RequestContext, ticketId: number, tags: Tag[], replace = false): Promise<void> {
    const em = this.db.em(ctx);
    if (replace) await em.delete(TicketTag, { ticketId });
    if (tags.length) await em.insert(TicketTag, tags.map((t, position) => ({ ticketId, tagId: t.id, position })));
  }

  /**
   * Round-robin auto-assignment: the category's group member after the one who got the last
   * ticket. The group row is locked (MySQL) so concurrent creates take turns, not the same person.
   */
  async autoAssignee(ctx: RequestContext, category: Category | null): Promise<User[]> {
    if (!category?.autoAssign || category.groupId === null) return [];
    const em = this.db.em(ctx);
    const group = await em.findOne(UserGroup, { where: { id: category.groupId }, lock: this.db.lockMode ? { mode: this.db.lockMode } : undefined });
    if (!group) return [];
    const members = (await em.find(GroupMember, { where: { groupId: group.id }, relations: { user: true }, order: { userId: 'ASC' } })).filter((m) => m.user?.active);
    if (members.length === 0) return [];
    const next = members.find((m) => m.userId > (group.lastAssignedUserId ?? 0)) ?? members[0];
    await em.update(UserGroup, { id: group.id }, { lastAssignedUserId: next.userId });
    return [next.user as User];
  }
}
