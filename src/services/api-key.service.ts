import crypto from 'node:crypto';
import { In, IsNull } from 'typeorm';
import type { Database } from '../db/database';
import { ApiKey } from '../entities/api-key.entity';
import { User } from '../entities/user.entity';
import { Category } from '../entities/category.entity';
import { Privilege } from '../entities/ticket.enums';
import { notFound } from '../common/errors';
import { ok, refusal, refused, UserErrorCode, type Refusal, type Result } from '../common/result';
import type { RequestContext } from '../graphql/context';
import { isAdmin, requireViewer } from './access';

const KEY_PREFIX = 'tg_';

export function hashKey(secret: string): string {
  return crypto.createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** What a key may be narrowed to; omitted parts mean "everything its user has". */
export interface ApiKeyScope {
  privileges?: Privilege[] | null;
  /** Category keys. */
  categories?: string[] | null;
}

/**
 * The privileges and categories a key carries at this moment: its own subset intersected with its
 * user's current grants, so taking a privilege from a user also takes it from every key at once.
 */
export function effectiveGrants(user: User, key: Pick<ApiKey, 'privileges' | 'categoryIds'> | null): { privileges: Set<Privilege>; categoryIds: number[] | null } {
  const userHas = (p: Privilege) => user.privileges.includes(Privilege.ADMIN) || user.privileges.includes(p);
  const privileges = key?.privileges ? key.privileges.filter(userHas) : user.privileges;
  let categoryIds = user.categoryIds;
  if (key?.categoryIds) categoryIds = categoryIds === null ? [...key.categoryIds] : key.categoryIds.filter((id) => categoryIds!.includes(id));
  return { privileges: new Set(privileges), categoryIds };
}

/** A new key and its secret, shown this once. */
export interface IssuedKey {
  apiKey: ApiKey;
  secret: string;
}

export class ApiKeyService {
  constructor(private readonly db: Database) {}

  /**
   * Issues a key for a user. The secret is returned once and only its hash is stored.
   * Users may issue keys for themselves; admins for anyone. ctx null: the CLI.
   */
  async issue(ctx: RequestContext | null, user: User, name: string, expiresAt: Date | null, scope: ApiKeyScope = {}): Promise<Result<IssuedKey>> {
    if (ctx) {
      const viewer = requireViewer(ctx);
      if (viewer.user.id !== user.id && !isAdmin(viewer)) return refused(refusal(['input', 'username'], UserErrorCode.FORBIDDEN, 'Only an admin may issue keys for another user'));
    }
    const label = name.trim();
    if (label === '' || label.length > 100) return refused(refusal(['input', 'name'], UserErrorCode.INVALID, 'Name must be 1-100 characters'));
    if (expiresAt && expiresAt.getTime() <= Date.now()) return refused(refusal(['input', 'expiresAt'], UserErrorCode.INVALID, 'expiresAt must be in the future'));
    const narrowed = await this.checkScope(user, scope);
    if (!narrowed.ok) return narrowed;
    const secret = KEY_PREFIX + crypto.randomBytes(32).toString('base64url');
    const apiKey = this.db.manager.create(ApiKey, {
      userId: user.id,
      name: label,
      keyHash: hashKey(secret),
      prefix: secret.slice(0, 10),
      privileges: narrowed.value.privileges,
      categoryIds: narrowed.value.categoryIds,
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
      createdAt: new Date(),
    });
    await this.db.manager.insert(ApiKey, apiKey);
    return ok({ apiKey, secret });
  }

  /**
   * A key may only narrow its user's grants: asking for a privilege or category the user lacks is
   * a userError naming it (never silently dropped, so the caller knows what the key can do).
   */
  private async checkScope(user: User, scope: ApiKeyScope): Promise<Result<{ privileges: Privilege[] | null; categoryIds: number[] | null }>> {
    const errors: Refusal[] = [];
    let privileges: Privilege[] | null = null;
    if (scope.privileges) {
      privileges = [...new Set(scope.privileges)];
      const granted = effectiveGrants(user, null).privileges;
      const missing = privileges.filter((p) => !granted.has(p) && !granted.has(Privilege.ADMIN));
      if (missing.length) {
        errors.push(refusal(['input', 'privileges'], UserErrorCode.FORBIDDEN, `User ${user.username} does not have ${missing.map((p) => p.toUpperCase()).join(', ')}; a key cannot grant more than its user has`));
      }
    }
    let categoryIds: number[] | null = null;
    if (scope.categories) {
      const keys = [...new Set(scope.categories.map((c) => c.trim()))];
      const found = keys.length ? await this.db.manager.findBy(Category, { key: In(keys) }) : [];
      const unknown = keys.filter((k) => !found.some((c) => c.key === k));
      const outside = found.filter((c) => user.categoryIds !== null && !user.categoryIds.includes(c.id));
      if (unknown.length) errors.push(refusal(['input', 'categories'], UserErrorCode.NOT_FOUND, `Unknown category: ${unknown.join(', ')}`));
      else if (outside.length) {
        errors.push(refusal(['input', 'categories'], UserErrorCode.FORBIDDEN, `User ${user.username} may not see category ${outside.map((c) => c.key).join(', ')}; a key cannot grant more than its user has`));
      }
      categoryIds = found.map((c) => c.id);
    }
    return errors.length ? refused(...errors) : ok({ privileges, categoryIds });
  }

  /** The API entry point: issue for the caller, or (admins) for the named user. */
  async issueFor(ctx: RequestContext, username: string | null, name: string, expiresAt: Date | null, scope: ApiKeyScope = {}): Promise<Result<IssuedKey>> {
    const viewer = requireViewer(ctx);
    const user = username === null ? viewer.user : await this.db.manager.findOneBy(User, { username: username.trim().toLowerCase(), active: true });
    if (!user) {
      const message = isAdmin(viewer) ? `Unknown user: ${username}` : 'Only an admin may issue keys for another user';
      return refused(refusal(['input', 'username'], isAdmin(viewer) ? UserErrorCode.NOT_FOUND : UserErrorCode.FORBIDDEN, message));
    }
    return this.issue(ctx, user, name, expiresAt, scope);
  }

  /** The API entry point for revocation; a key the caller may not touch reads as not found. */
  async revokeById(ctx: RequestContext, keyId: number | null): Promise<Result<ApiKey>> {
    const apiKey = keyId === null ? null : await this.revoke(ctx, keyId);
    if (!apiKey) throw notFound('No such API key');
    return ok(apiKey);
  }

  /** Revokes a key by row id. Owners and admins may revoke; a revoked key stops working at once. */
  async revoke(ctx: RequestContext | null, keyId: number): Promise<ApiKey | null> {
    const key = await this.db.manager.findOneBy(ApiKey, { id: keyId });
    if (!key) return null;
    if (ctx) {
      const viewer = requireViewer(ctx);
      if (viewer.user.id !== key.userId && !isAdmin(viewer)) return null;
    }
    if (!key.revokedAt) {
      key.revokedAt = new Date();
      await this.db.manager.update(ApiKey, { id: key.id, revokedAt: IsNull() }, { revokedAt: key.revokedAt });
    }
    return key;
  }

  /** A key's record (never its secret), for its owner or an admin. */
  async findVisible(ctx: RequestContext, id: number): Promise<ApiKey | null> {
    const viewer = requireViewer(ctx);
    const key = await this.db.manager.findOneBy(ApiKey, { id });
    return key && (key.userId === viewer.user.id || isAdmin(viewer)) ? key : null;
  }

  async listForUser(userId: number): Promise<ApiKey[]> {
    return this.db.manager.find(ApiKey, { where: { userId }, order: { id: 'ASC' } });
  }

  async findByPrefix(prefix: string): Promise<ApiKey[]> {
    return this.db.manager.find(ApiKey, { where: { prefix }, order: { id: 'ASC' } });
  }
}

