import { In, Not, type EntityManager } from 'typeorm';
import type { Database } from '../db/database';
import { Category } from '../entities/category.entity';
import { GroupMember } from '../entities/group-member.entity';
import { Tag } from '../entities/tag.entity';
import { Ticket } from '../entities/ticket.entity';
import { Privilege } from '../entities/ticket.enums';
import { User } from '../entities/user.entity';
import { UserGroup } from '../entities/user-group.entity';
import type { RequestContext } from '../graphql/context';
import { rowIdOf, type NodeTypeName } from '../graphql/global-id';
import { userError, UserErrorCode, type UserError } from '../graphql/types/user-error.type';
import { notFound } from '../common/errors';
import { canSeeCategory, requirePrivilege, requireViewer } from './access';

const KEY = /^[a-z0-9][a-z0-9._-]{0,63}$/;

type Keyed = typeof Category | typeof Tag | typeof UserGroup;
export type LabelResult<T> = { label: T | null; userErrors: UserError[] };

export interface LabelFields {
  key?: string | null;
  title?: string | null;
}

export interface CategoryFields extends LabelFields {
  /** Group key; null removes it. */
  group?: string | null;
  autoAssign?: boolean | null;
}

export interface GroupFields extends LabelFields {
  /** Usernames; replaces the members. */
  members?: string[] | null;
}

/**
 * Categories, tags and groups: admin-managed lists that tickets reference by key. Each has its
 * own privilege (manage_categories, manage_tags, manage_groups); admins have all three. The CLI
 * passes a null context and is trusted.
 */
export class LabelService {
  constructor(private readonly db: Database) {}

  async listCategories(ctx: RequestContext): Promise<Category[]> {
    const viewer = requireViewer(ctx);
    const all = await this.db.manager.find(Category, { order: { key: 'ASC' } });
    return all.filter((c) => canSeeCategory(viewer, c.id));
  }

  async listTags(ctx: RequestContext): Promise<Tag[]> {
    requireViewer(ctx);
    return this.db.manager.find(Tag, { order: { key: 'ASC' } });
  }

  async listGroups(ctx: RequestContext): Promise<UserGroup[]> {
    requireViewer(ctx);
    return this.db.manager.find(UserGroup, { order: { key: 'ASC' } });
  }

  async findCategory(ctx: RequestContext, id: number): Promise<Category | null> {
    const viewer = requireViewer(ctx);
    const category = await ctx.loaders.categoryById.load(id);
    return category && canSeeCategory(viewer, category.id) ? category : null;
  }

  async findTag(ctx: RequestContext, id: number): Promise<Tag | null> {
    requireViewer(ctx);
    return ctx.loaders.tagById.load(id);
  }

  async findGroup(ctx: RequestContext, id: number): Promise<UserGroup | null> {
    requireViewer(ctx);
    return this.db.manager.findOneBy(UserGroup, { id });
  }

  async members(groupId: number): Promise<User[]> {
    const links = await this.db.manager.find(GroupMember, { where: { groupId }, relations: { user: true }, order: { userId: 'ASC' } });
    return links.map((l) => l.user as User);
  }

  // ---- writes ----

  createCategory(ctx: RequestContext | null, key: string, title?: string | null): Promise<LabelResult<Category>> {
    return this.saveCategory(ctx, null, { key, title });
  }

  createTag(ctx: RequestContext | null, key: string, title?: string | null): Promise<LabelResult<Tag>> {
    return this.save<Tag>(ctx, Tag, Privilege.MANAGE_TAGS, null, { key, title });
  }

  updateTag(ctx: RequestContext, id: string, fields: LabelFields): Promise<LabelResult<Tag>> {
    return this.save<Tag>(ctx, Tag, Privilege.MANAGE_TAGS, this.idOf('Tag', id), fields);
  }

  async saveCategory(ctx: RequestContext | null, id: string | null, fields: CategoryFields): Promise<LabelResult<Category>> {
    let groupId: number | null | undefined;
    if (fields.group !== undefined) {
      groupId = fields.group === null ? null : ((await this.db.manager.findOneBy(UserGroup, { key: fields.group.trim().toLowerCase() }))?.id ?? -1);
      if (groupId === -1) return { label: null, userErrors: [userError(['input', 'group'], UserErrorCode.NOT_FOUND, `No group ${fields.group}`)] };
    }
    return this.save<Category>(ctx, Category, Privilege.MANAGE_CATEGORIES, id === null ? null : this.idOf('Category', id), fields, {
      ...(groupId !== undefined ? { groupId } : {}),
      ...(fields.autoAssign != null ? { autoAssign: fields.autoAssign } : {}),
    });
  }

  async saveGroup(ctx: RequestContext, id: string | null, fields: GroupFields): Promise<LabelResult<UserGroup>> {
    let users: User[] | undefined;
    if (fields.members != null) {
      const names = [...new Set(fields.members.map((m) => m.trim().toLowerCase()))];
      users = names.length ? await this.db.manager.findBy(User, { username: In(names), active: true }) : [];
      const missing = names.filter((n) => !users!.some((u) => u.username === n));
      if (missing.length) return { label: null, userErrors: [userError(['input', 'members'], UserErrorCode.NOT_FOUND, `No active user ${missing.join(', ')}`)] };
    }
    return this.save<UserGroup>(ctx, UserGroup, Privilege.MANAGE_GROUPS, id === null ? null : this.idOf('Group', id), fields, {}, async (em, group) => {
      if (!users) return;
      await em.delete(GroupMember, { groupId: group.id });
      if (users.length) await em.insert(GroupMember, users.map((u) => ({ groupId: group.id, userId: u.id })));
    });
  }

  /** Categories in use by tickets cannot go; tags are removed from their tickets; groups leave their categories. */
  async delete(ctx: RequestContext, kind: 'Category' | 'Tag' | 'Group', id: string): Promise<{ deletedId: string | null; userErrors: UserError[] }> {
    const { entity, privilege } = KINDS[kind];
    requirePrivilege(ctx, privilege);
    const rowId = this.idOf(kind, id);
    if (!(await this.db.manager.existsBy(entity, { id: rowId }))) throw notFound(`No ${kind.toLowerCase()} ${id}`);
    if (kind === 'Category' && (await this.db.manager.existsBy(Ticket, { categoryId: rowId }))) {
      return { deletedId: null, userErrors: [userError(['id'], UserErrorCode.IN_USE, 'Tickets use this category; move them to another one first')] };
    }
    await this.db.manager.delete(entity, { id: rowId });
    return { deletedId: id, userErrors: [] };
  }

  private idOf(kind: NodeTypeName, id: string): number {
    const rowId = rowIdOf(kind, id);
    if (rowId === null) throw notFound(`No ${kind.toLowerCase()} ${id}`);
    return rowId;
  }

  /** Create (id null) or update a keyed entity; `extra` are further columns, `after` runs in the same transaction. */
  private async save<T extends Category | Tag | UserGroup>(
    ctx: RequestContext | null,
    entity: Keyed,
    privilege: Privilege,
    id: number | null,
    fields: LabelFields,
    extra: Partial<T> = {},
    after?: (em: EntityManager, row: T) => Promise<void>,
  ): Promise<LabelResult<T>> {
    if (ctx) requirePrivilege(ctx, privilege);
    const current = id === null ? null : ((await this.db.manager.findOneBy(entity, { id })) as T | null);
    if (id !== null && !current) throw notFound('No such entry');
    const errors: UserError[] = [];
    const key = fields.key != null ? fields.key.trim().toLowerCase() : current?.key;
    if (!key || !KEY.test(key)) errors.push(userError(['input', 'key'], UserErrorCode.INVALID, 'Key must be 1-64 lower-case letters, digits, dots, dashes or underscores'));
    else if (await this.db.manager.existsBy(entity, { key, ...(id !== null ? { id: Not(id) } : {}) })) errors.push(userError(['input', 'key'], UserErrorCode.TAKEN, `Key ${key} is taken`));
    const title = fields.title != null ? fields.title.trim() || key : (current?.title ?? key);
    if (title && title.length > 200) errors.push(userError(['input', 'title'], UserErrorCode.TOO_LONG, 'Title is longer than 200 characters'));
    if (errors.length) return { label: null, userErrors: errors };
    const createdAt = new Date();
    // The row is built inside: a retried transaction starts from scratch.
    const row = await this.db.transaction(async (em) => {
      const row = Object.assign(em.create(entity, current ?? { createdAt }) as T, { key, title }, extra) as T;
      if (current) await em.update(entity, { id: current.id }, { key, title, ...extra } as never);
      else await em.insert(entity, row as never);
      await after?.(em, row);
      return row;
    });
    return { label: row, userErrors: [] };
  }
}

const KINDS = {
  Category: { entity: Category, privilege: Privilege.MANAGE_CATEGORIES },
  Tag: { entity: Tag, privilege: Privilege.MANAGE_TAGS },
  Group: { entity: UserGroup, privilege: Privilege.MANAGE_GROUPS },
} as const;
