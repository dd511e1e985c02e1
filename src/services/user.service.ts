import { In } from 'typeorm';
import type { Database } from '../db/database';
import { Category } from '../entities/category.entity';
import { Privilege } from '../entities/ticket.enums';
import { User } from '../entities/user.entity';
import type { RequestContext, Viewer } from '../graphql/context';
import type { ConnectionArgs } from '../graphql/args/connection.args';
import type { Page } from '../graphql/types/connection.factory';
import { ok, refusal, refused, UserErrorCode, type Refusal, type Result } from '../common/result';
import type { AppConfig } from '../config/config';
import { adminCovers, coversCategoriesOf, hasPrivilege, requireViewer } from './access';
import { buildPage, decodeIdCursor, idCursor, pageRequest } from './pagination';
import { isMailAddress } from '../common/mail-address';

export const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export interface UserCreateFields {
  username: string;
  name?: string | null;
  email?: string | null;
  privileges?: Privilege[] | null;
  categories?: string[] | null;
  ownTicketsOnly?: boolean | null;
}

export interface UserUpdateFields {
  username: string;
  /** undefined: unchanged; null or blank: no address (no mail). */
  email?: string | null;
  name?: string | null;
  ownTicketsOnly?: boolean | null;
}

export class UserService {
  constructor(
    private readonly db: Database,
    private readonly limits: AppConfig['limits'],
  ) {}

  /**
   * Creates a user: the admin mutation (`by`, the caller), the CLI and the bootstrap admin (no caller).
   * A caller cannot create a user holding more than the caller's own credential does: a privilege it
   * lacks, or (when it is limited to categories) a user not limited to a subset of them; otherwise a
   * narrowed admin key could create a broader user.
   */
  async create(fields: UserCreateFields, by: Viewer | null = null): Promise<Result<User>> {
    const errors: Refusal[] = [];
    const username = fields.username.trim().toLowerCase();
    if (!USERNAME.test(username)) {
      errors.push(refusal(['input', 'username'], UserErrorCode.INVALID, 'Username must be 1-64 lower-case letters, digits, dots, dashes or underscores'));
    }
    const email = fields.email?.trim() || null;
    if (email !== null && !isMailAddress(email)) {
      errors.push(refusal(['input', 'email'], UserErrorCode.INVALID, `Not a valid e-mail address: ${email}`));
    }
    let categoryIds: number[] | null = null;
    if (fields.categories) {
      const keys = [...new Set(fields.categories.map((c) => c.trim()))];
      const found = keys.length ? await this.db.manager.findBy(Category, { key: In(keys) }) : [];
      const unknown = keys.filter((k) => !found.some((c) => c.key === k));
      if (unknown.length) errors.push(refusal(['input', 'categories'], UserErrorCode.NOT_FOUND, `Unknown category: ${unknown.join(', ')}`));
      categoryIds = found.map((c) => c.id);
    }
    if (by) {
      const missing = [...new Set(fields.privileges ?? [])].filter((p) => !hasPrivilege(by, p));
      if (missing.length) errors.push(refusal(['input', 'privileges'], UserErrorCode.FORBIDDEN, `You do not hold ${missing.map((p) => p.toUpperCase()).join(', ')}; you cannot grant it`));
      if (by.categoryIds !== null && !errors.some((e) => e.field?.[1] === 'categories') && !coversCategoriesOf(by, { categoryIds })) {
        errors.push(refusal(['input', 'categories'], UserErrorCode.FORBIDDEN, `You are limited to categories ${await this.categoryKeys(by.categoryIds)}: the new user must be limited to some of them`));
      }
      if (by.ownTicketsOnly && fields.ownTicketsOnly !== true) {
        errors.push(refusal(['input', 'ownTicketsOnly'], UserErrorCode.FORBIDDEN, 'You are limited to your own tickets: the new user must be too (ownTicketsOnly: true)'));
      }
    }
    if (errors.length === 0 && (await this.db.manager.existsBy(User, { username }))) {
      errors.push(refusal(['input', 'username'], UserErrorCode.TAKEN, `Username ${username} is taken`));
    }
    if (errors.length > 0) return refused(...errors);

    const user = this.db.manager.create(User, {
      username,
      name: fields.name?.trim() || username,
      email,
      privileges: [...new Set(fields.privileges ?? [])],
      categoryIds,
      ownTicketsOnly: fields.ownTicketsOnly === true,
      active: true,
      createdAt: new Date(),
    });
    await this.db.manager.insert(User, user);
    return ok(user);
  }

  /**
   * Changes a user (the admin mutation): address, name, own-tickets restriction. A limited admin
   * changes only users no broader than itself (limited to some of its categories; to own tickets
   * when it is): redirecting a broader user's mail, or restricting them, reaches beyond its limit.
   * A caller restricted to its own tickets cannot lift that restriction from anyone.
   */
  async update(ctx: RequestContext, fields: UserUpdateFields): Promise<Result<User>> {
    const by = requireViewer(ctx);
    const user = await this.db.manager.findOneBy(User, { username: String(fields.username).trim().toLowerCase() });
    if (!user) return refused(refusal(['input', 'username'], UserErrorCode.NOT_FOUND, `Unknown user: ${fields.username}`));
    const outside = await this.outsideLimit(by, user);
    if (outside) return refused(refusal(['input', 'username'], UserErrorCode.FORBIDDEN, outside));
    if (fields.ownTicketsOnly === false && by.ownTicketsOnly) {
      return refused(refusal(['input', 'ownTicketsOnly'], UserErrorCode.FORBIDDEN, 'You are limited to your own tickets: you cannot lift that restriction'));
    }
    const changes: Partial<Pick<User, 'email' | 'name' | 'ownTicketsOnly'>> = {};
    if (fields.email !== undefined) {
      const email = fields.email?.trim() || null;
      if (email !== null && !isMailAddress(email)) return refused(refusal(['input', 'email'], UserErrorCode.INVALID, `Not a valid e-mail address: ${email}`));
      changes.email = email;
    }
    if (fields.name != null) changes.name = fields.name.trim() || user.username;
    if (fields.ownTicketsOnly != null) changes.ownTicketsOnly = fields.ownTicketsOnly;
    if (Object.keys(changes).length > 0) {
      await this.db.em(ctx).update(User, { id: user.id }, changes);
      Object.assign(user, changes);
      ctx.loaders.userById.clear(user.id);
      ctx.loaders.userByUsername.clear(user.username);
    }
    return ok(user);
  }

  /** Why a limited caller may not change this user (it is broader than the caller), or null. */
  private async outsideLimit(by: Viewer, user: User): Promise<string | null> {
    if (adminCovers(by, user)) return null;
    if (!coversCategoriesOf(by, user)) return `You are limited to categories ${await this.categoryKeys(by.categoryIds ?? [])}: you change only users limited to some of them`;
    return 'You are limited to your own tickets: you change only users limited to theirs';
  }

  /** The keys of a limited caller's categories, for refusals. */
  private async categoryKeys(ids: readonly number[]): Promise<string> {
    return ids.length ? (await this.db.manager.findBy(Category, { id: In([...ids]) })).map((c) => c.key).sort().join(', ') : 'none';
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
      const result = await this.create({ username: 'admin', name: 'Administrator', privileges: [Privilege.ADMIN] });
      if (result.ok) return result.value;
    } catch {
      // Another replica inserted it first; read theirs.
    }
    return this.db.manager.findOneByOrFail(User, { username: 'admin' });
  }

  findVisible(ctx: RequestContext, id: number): Promise<User | null> {
    return ctx.loaders.userById.load(id);
  }

  /** A federation reference (`User @key(fields: "username")`), batched through the loader. */
  resolveReference(ctx: RequestContext, username: string): Promise<User | null> {
    return this.findActiveByUsername(ctx, username);
  }

  /** An active user by username (case-insensitive), as `users` lists them; null otherwise. */
  async findActiveByUsername(ctx: RequestContext, username: string): Promise<User | null> {
    const user = await ctx.loaders.userByUsername.load(String(username).trim().toLowerCase());
    return user?.active ? user : null;
  }

  async findByUsername(username: string): Promise<User | null> {
    return this.db.manager.findOneBy(User, { username: username.trim().toLowerCase() });
  }

  async list(ctx: RequestContext, args: ConnectionArgs): Promise<Page<User>> {
    const req = pageRequest(args, this.limits);
    const qb = this.db.em(ctx).createQueryBuilder(User, 'u').where('u.active = :active', { active: true });
    const countQb = qb.clone();
    if (req.cursor) qb.andWhere(req.backward ? 'u.id < :cursor' : 'u.id > :cursor', { cursor: decodeIdCursor(req.cursor) });
    const rows = await qb.orderBy('u.id', req.backward ? 'DESC' : 'ASC').take(req.limit + 1).getMany();
    for (const u of rows) ctx.loaders.primeUser(u);
    return buildPage(rows, req, (u) => idCursor(u.id), () => countQb.getCount());
  }

  /** The caller's own settings (today: whether ticket mail reaches them). */
  async updateSettings(ctx: RequestContext, settings: { mailEnabled?: boolean | null }): Promise<Result<User>> {
    const viewer = requireViewer(ctx);
    if (settings.mailEnabled != null) {
      await this.db.em(ctx).update(User, { id: viewer.user.id }, { mailEnabled: settings.mailEnabled });
      viewer.user.mailEnabled = settings.mailEnabled;
    }
    return ok(viewer.user);
  }

  /** For the CLI: every user with their privileges. */
  async all(): Promise<User[]> {
    return this.db.manager.find(User, { order: { username: 'ASC' } });
  }
}
