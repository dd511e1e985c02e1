import { In, Not } from 'typeorm';
import { notFound } from '../common/errors';
import { ok, refusal, refused, UserErrorCode, type Refusal, type Result } from '../common/result';
import type { Database } from '../db/database';
import { Category } from '../entities/category.entity';
import { GroupMember } from '../entities/group-member.entity';
import { Tag } from '../entities/tag.entity';
import { Ticket } from '../entities/ticket.entity';
import { User } from '../entities/user.entity';
import { UserGroup } from '../entities/user-group.entity';
import type { RequestContext } from '../graphql/context';
import { canSeeCategory, requireViewer } from './access';

const KEY = /^[a-z0-9][a-z0-9._-]{0,63}$/;

type Keyed = typeof Category | typeof Tag | typeof UserGroup;
export type LabelKind = 'Category' | 'Tag' | 'Group';
const ENTITY: Record<LabelKind, Keyed> = { Category, Tag, Group: UserGroup };

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

/** What a save writes: a new entry, or the entry with this row id (null: an id that names none). */
export const NEW = 'new';
export type SaveTarget = typeof NEW | number | null;

/**
 * Categories, tags and groups: admin-managed lists that tickets reference by key. Who may change
 * each (manage_categories, manage_tags, manage_groups) is declared on the resolvers; the CLI is
 * trusted.
 */
export class LabelService {
  constructor(private readonly db: Database) {}

  async listCategories(ctx: RequestContext): Promise<Category[]> {
    const viewer = requireViewer(ctx);
    const all = await this.db.em(ctx).find(Category, { order: { key: 'ASC' } });
    return all.filter((c) => canSeeCategory(viewer, c.id));
  }

  listTags(ctx: RequestContext): Promise<Tag[]> {
    return this.db.em(ctx).find(Tag, { order: { key: 'ASC' } });
  }

  listGroups(ctx: RequestContext): Promise<UserGroup[]> {
    return this.db.em(ctx).find(UserGroup, { order: { key: 'ASC' } });
  }

  async findCategory(ctx: RequestContext, id: number): Promise<Category | null> {
    const viewer = requireViewer(ctx);
    const category = await ctx.loaders.categoryById.load(id);
    return category && canSeeCategory(viewer, category.id) ? category : null;
  }

  findTag(ctx: RequestContext, id: number): Promise<Tag | null> {
    return ctx.loaders.tagById.load(id);
  }

  findGroup(ctx: RequestContext, id: number): Promise<UserGroup | null> {
    return this.db.em(ctx).findOneBy(UserGroup, { id });
  }

  async members(ctx: RequestContext, groupId: number): Promise<User[]> {
    const links = await this.db.em(ctx).find(GroupMember, { where: { groupId }, relations: { user: true }, order: { userId: 'ASC' } });
    return links.map((l) => l.user as User);
  }

  // ---- writes ----

  saveTag(ctx: RequestContext, target: SaveTarget, fields: LabelFields): Promise<Result<Tag>> {
    return this.save<Tag>(ctx, Tag, target, fields);
  }

  async saveCategory(ctx: RequestContext, target: SaveTarget, fields: CategoryFields): Promise<Result<Category>> {
    let groupId: number | null | undefined;
    if (fields.group !== undefined) {
      groupId = fields.group === null ? null : ((await this.db.em(ctx).findOneBy(UserGroup, { key: fields.group.trim().toLowerCase() }))?.id ?? -1);
      if (groupId === -1) return refused(refusal(['input', 'group'], UserErrorCode.NOT_FOUND, `No group ${fields.group}`));
    }
    return this.save<Category>(ctx, Category, target, fields, {
      ...(groupId !== undefined ? { groupId } : {}),
      ...(fields.autoAssign != null ? { autoAssign: fields.autoAssign } : {}),
    });
  }

  async saveGroup(ctx: RequestContext, target: SaveTarget, fields: GroupFields): Promise<Result<UserGroup>> {
    let users: User[] | undefined;
    if (fields.members != null) {
      const names = [...new Set(fields.members.map((m) => m.trim().toLowerCase()))];
      users = names.length ? await this.db.em(ctx).findBy(User, { username: In(names), active: true }) : [];
      const missing = names.filter((n) => !users!.some((u) => u.username === n));
      if (missing.length) return refused(refusal(['input', 'members'], UserErrorCode.NOT_FOUND, `No active user ${missing.join(', ')}`));
    }
    return this.save<UserGroup>(ctx, UserGroup, target, fields, {}, async (tx, group) => {
      if (!users) return;
      const em = this.db.em(tx);
      await em.delete(GroupMember, { groupId: group.id });
      if (users.length) await em.insert(GroupMember, users.map((u) => ({ groupId: group.id, userId: u.id })));
    });
  }

  /** Categories in use by tickets cannot go; tags are removed from their tickets; groups leave their categories. */
  async delete(ctx: RequestContext, kind: LabelKind, id: number | null): Promise<Result<number>> {
    const entity = ENTITY[kind];
    if (id === null || !(await this.db.em(ctx).existsBy(entity, { id }))) throw notFound(`No such ${kind.toLowerCase()}`);
    if (kind === 'Category' && (await this.db.em(ctx).existsBy(Ticket, { categoryId: id }))) {
      return refused(refusal(['id'], UserErrorCode.IN_USE, 'Tickets use this category; move them to another one first'));
    }
    await this.db.em(ctx).delete(entity, { id });
    return ok(id);
  }

  /** Creates or updates a keyed entity; `extra` are further columns, `after` runs in the same transaction. */
  private async save<T extends Category | Tag | UserGroup>(
    ctx: RequestContext,
    entity: Keyed,
    target: SaveTarget,
    fields: LabelFields,
    extra: Partial<T> = {},
    after?: (tx: RequestContext, row: T) => Promise<void>,
  ): Promise<Result<T>> {
    const em = this.db.em(ctx);
    const current = target === NEW ? null : target === null ? null : ((await em.findOneBy(entity, { id: target })) as T | null);
    if (target !== NEW && !current) throw notFound(`No such ${entity === UserGroup ? 'group' : entity.name.toLowerCase()}`);
    const errors: Refusal[] = [];
    const key = fields.key != null ? fields.key.trim().toLowerCase() : current?.key;
    if (!key || !KEY.test(key)) errors.push(refusal(['input', 'key'], UserErrorCode.INVALID, 'Key must be 1-64 lower-case letters, digits, dots, dashes or underscores'));
    else if (await em.existsBy(entity, { key, ...(current ? { id: Not(current.id) } : {}) })) errors.push(refusal(['input', 'key'], UserErrorCode.TAKEN, `Key ${key} is taken`));
    const title = fields.title != null ? fields.title.trim() || key : (current?.title ?? key);
    if (title && title.length > 200) errors.push(refusal(['input', 'title'], UserErrorCode.TOO_LONG, 'Title is longer than 200 characters'));
    if (errors.length) return refused(...errors);
    const createdAt = new Date();
    // The row is built inside: a retried transaction starts from scratch.
    const row = await this.db.transaction(ctx, async (tx) => {
      const txEm = this.db.em(tx);
      const row = Object.assign(txEm.create(entity, current ?? { createdAt }) as T, { key, title }, extra) as T;
      if (current) await txEm.update(entity, { id: current.id }, { key, title, ...extra } as never);
      else await txEm.insert(entity, row as never);
      await after?.(tx, row);
      return row;
    });
    return ok(row);
  }
}
