import { In } from 'typeorm';
import type { Database } from '../db/database';
import { Category } from '../entities/category.entity';
import { Privilege } from '../entities/ticket.enums';
import { User } from '../entities/user.entity';
import type { RequestContext } from '../graphql/context';
import type { ConnectionArgs } from '../graphql/args/connection.args';
import type { Page } from '../graphql/types/connection.factory';
import { userError, UserErrorCode, type UserError } from '../graphql/types/user-error.type';
import type { AppConfig } from '../config/config';
import { requirePrivilege, requireViewer } from './access';
import { buildPage, decodeIdCursor, idCursor, pageRequest } from './pagination';

export const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface UserCreateFields {
  username: string;
  name?: string | null;
  email?: string | null;
  privileges?: Privilege[] | null;
  categories?: string[] | null;
}

export type UserCreateResult = { user: User; userErrors: [] } | { user: null; userErrors: UserError[] };

export class UserService {
  constructor(
    private readonly db: Database,
    private readonly limits: AppConfig['limits'],
  ) {}

  /** Creates a user; used by the admin mutation and the CLI (which runs as the system, with no request). */
  async create(ctx: RequestContext | null, fields: UserCreateFields): Promise<UserCreateResult> {
    if (ctx) requirePrivilege(ctx, Privilege.ADMIN);
    const errors: UserError[] = [];
    const username = fields.username.trim().toLowerCase();
    if (!USERNAME.test(username)) {
      errors.push(userError(['input', 'username'], UserErrorCode.INVALID, 'Username must be 1-64 lower-case letters, digits, dots, dashes or underscores'));
    }
    const email = fields.email?.trim() || null;
    if (email !== null && (email.length > 254 || !EMAIL.test(email))) {
      errors.push(userError(['input', 'email'], UserErrorCode.INVALID, `Not a valid e-mail address: ${email}`));
    }
    let categoryIds: number[] | null = null;
    if (fields.categories) {
      const keys = [...new Set(fields.categories.map((c) => c.trim()))];
      const found = keys.length ? await this.db.manager.findBy(Category, { key: In(keys) }) : [];
      const unknown = keys.filter((k) => !found.some((c) => c.key === k));
      if (unknown.length) errors.push(userError(['input', 'categories'], UserErrorCode.NOT_FOUND, `Unknown category: ${unknown.join(', ')}`));
      categoryIds = found.map((c) => c.id);
    }
    if (errors.length === 0 && (await this.db.manager.existsBy(User, { username }))) {
      errors.push(userError(['input', 'username'], UserErrorCode.TAKEN, `Username ${username} is taken`));
    }
    if (errors.length > 0) return { user: null, userErrors: errors };

    const user = this.db.manager.create(User, {
      username,
      name: fields.name?.trim() || username,
      email,
      privileges: [...new Set(fields.privileges ?? [])],
      categoryIds,
      active: true,
      createdAt: new Date(),
    });
    await this.db.manager.insert(User, user);
    return { user, userErrors: [] };
  }

  /** Makes sure the bootstrap admin exists (ADMIN_API_KEY); idempotent across replicas starting together. */
  async ensureAdmin(): Promise<User> {
    const existing = await this.db.manager.findOneBy(User, { username: 'admin' });
    if (existing) {
      if (!existing.privileges.includes(Privilege.ADMIN) || !existing.active) {
        await this.db.manager.update(User, { id: existing.id }, { privileges: [...new Set([...existing.privileges, Privilege.ADMIN])], active: true });
        return (await this.db.manager.findOneByOrFail(User, { id: existing.id }));
      }
      return existing;
    }
    try {
      const result = await this.create(null, { username: 'admin', name: 'Administrator', privileges: [Privilege.ADMIN] });
      if (result.user) return result.user;
    } catch {
      // Another replica inserted it first; read theirs.
    }
    return this.db.manager.findOneByOrFail(User, { username: 'admin' });
  }

  async findVisible(ctx: RequestContext, id: number): Promise<User | null> {
    requireViewer(ctx);
    return ctx.loaders.userById.load(id);
  }

  /** A federation reference (`User @key(fields: "username")`), batched through the loader. */
  async resolveReference(ctx: RequestContext, username: string): Promise<User | null> {
    requireViewer(ctx);
    const user = await ctx.loaders.userByUsername.load(String(username).trim().toLowerCase());
    return user?.active ? user : null;
  }

  async findByUsername(username: string): Promise<User | null> {
    return this.db.manager.findOneBy(User, { username: username.trim().toLowerCase() });
  }

  async list(ctx: RequestContext, args: ConnectionArgs): Promise<Page<User>> {
    requireViewer(ctx);
    const req = pageRequest(args, this.limits);
    const qb = this.db.manager.createQueryBuilder(User, 'u').where('u.active = :active', { active: true });
    const countQb = qb.clone();
    if (req.cursor) qb.andWhere(req.backward ? 'u.id < :cursor' : 'u.id > :cursor', { cursor: decodeIdCursor(req.cursor) });
    const rows = await qb.orderBy('u.id', req.backward ? 'DESC' : 'ASC').take(req.limit + 1).getMany();
    for (const u of rows) ctx.loaders.primeUser(u);
    return { ...buildPage(rows, req, (u) => idCursor(u.id)), count: () => countQb.getCount() };
  }

  /** The caller's own settings (today: whether ticket mail reaches them). */
  async updateSettings(ctx: RequestContext, settings: { mailEnabled?: boolean | null }): Promise<{ user: User; userErrors: [] }> {
    const viewer = requireViewer(ctx);
    if (settings.mailEnabled != null) {
      await this.db.manager.update(User, { id: viewer.user.id }, { mailEnabled: settings.mailEnabled });
      viewer.user.mailEnabled = settings.mailEnabled;
    }
    return { user: viewer.user, userErrors: [] };
  }

  /** For the CLI: every user with their privileges. */
  async all(): Promise<User[]> {
    return this.db.manager.find(User, { order: { username: 'ASC' } });
  }
}
