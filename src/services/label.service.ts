import type { Database } from '../db/database';
import { Category } from '../entities/category.entity';
import { Tag } from '../entities/tag.entity';
import { Privilege } from '../entities/ticket.enums';
import type { RequestContext } from '../graphql/context';
import { userError, UserErrorCode, type UserError } from '../graphql/types/user-error.type';
import { canSeeCategory, requirePrivilege, requireViewer } from './access';

const KEY = /^[a-z0-9][a-z0-9._-]{0,63}$/;

type LabelEntity = typeof Category | typeof Tag;
export type LabelCreateResult<T> = { label: T; userErrors: [] } | { label: null; userErrors: UserError[] };

/** Categories and tags: small admin-managed lists that tickets reference by key. */
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

  async findCategory(ctx: RequestContext, id: number): Promise<Category | null> {
    const viewer = requireViewer(ctx);
    const category = await ctx.loaders.categoryById.load(id);
    return category && canSeeCategory(viewer, category.id) ? category : null;
  }

  async findTag(ctx: RequestContext, id: number): Promise<Tag | null> {
    requireViewer(ctx);
    return ctx.loaders.tagById.load(id);
  }

  createCategory(ctx: RequestContext | null, key: string, title?: string | null) {
    return this.create(ctx, Category, key, title);
  }

  createTag(ctx: RequestContext | null, key: string, title?: string | null) {
    return this.create(ctx, Tag, key, title);
  }

  private async create<T extends Category | Tag>(ctx: RequestContext | null, entity: LabelEntity, rawKey: string, rawTitle?: string | null): Promise<LabelCreateResult<T>> {
    if (ctx) requirePrivilege(ctx, Privilege.ADMIN);
    const key = rawKey.trim().toLowerCase();
    const title = (rawTitle ?? '').trim() || key;
    if (!KEY.test(key)) {
      return { label: null, userErrors: [userError(['input', 'key'], UserErrorCode.INVALID, 'Key must be 1-64 lower-case letters, digits, dots, dashes or underscores')] };
    }
    if (title.length > 200) return { label: null, userErrors: [userError(['input', 'title'], UserErrorCode.TOO_LONG, 'Title is longer than 200 characters')] };
    if (await this.db.manager.existsBy(entity, { key })) {
      return { label: null, userErrors: [userError(['input', 'key'], UserErrorCode.TAKEN, `Key ${key} is taken`)] };
    }
    const label = this.db.manager.create(entity, { key, title, createdAt: new Date() }) as T;
    await this.db.transaction((em) => em.insert(entity, label));
    return { label, userErrors: [] };
  }
}
