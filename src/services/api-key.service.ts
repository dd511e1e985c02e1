import crypto from 'node:crypto';
import { In, IsNull } from 'typeorm';
import type { Database } from '../db/database';
import { ApiKey } from '../entities/api-key.entity';
import { User } from '../entities/user.entity';
import { Category } from '../entities/category.entity';
import { Privilege } from '../entities/ticket.enums';
import { notFound } from '../common/errors';
import { ok, refusal, refused, UserErrorCode, type Refusal, type Result } from '../common/result';
import type { RequestContext, Viewer } from '../graphql/context';
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
  /** Only the user's own tickets (requested, created, assigned, cc). */
  ownTicketsOnly?: boolean | null;
}

/**
 * The privileges and categories a key carries at this moment: its own subset intersected with its
 * user's current grants, so taking a privilege from a user also takes it from every key at once.
 */
export function effectiveGrants(user: User, key: Pick<ApiKey, 'privileges' | 'categoryIds' | 'ownTicketsOnly'> | null): { privileges: Set<Privilege>; categoryIds: number[] | null; ownTicketsOnly: boolean } {
  const userHas = (p: Privilege) => user.privileges.includes(Privilege.ADMIN) || user.privileges.includes(p);
  const privileges = key?.privileges ? key.privileges.filter(userHas) : user.privileges;
  let categoryIds = user.categoryIds;
  if (key?.categoryIds) categoryIds = categoryIds === null ? [...key.categoryIds] : key.categoryIds.filter((id) => categoryIds!.includes(id));
  // Either restriction binds: a key cannot lift its user's, and restricting a user restricts every key at once.
  const ownTicketsOnly = user.ownTicketsOnly === true || key?.ownTicketsOnly === true;
  return { privileges: new Set(privileges), categoryIds, ownTicketsOnly };
}

/** A key's own restriction as stored (null: none in that respect, it follows its user's grants). */
export interface KeyRestriction {
  privileges: Privilege[] | null;
  categoryIds: number[] | null;
  /** Limited to its user's own tickets. */
  ownTicketsOnly: boolean;
}

const UNRESTRICTED: KeyRestriction = { privileges: null, categoryIds: null, ownTicketsOnly: false };

/**
 * In which respects a key of `ownerId` restricted by `key` would be broader than the caller, whose
 * credential carries `caller` (a JWT or ADMIN_API_KEY caller: none, it acts with its user's own scope).
 *
 * Privileges: a caller holding ADMIN in force holds every privilege, so nothing is broader. Otherwise
 * (only its own keys) a caller whose credential is narrowed admits only keys listing a subset of its
 * list: both are intersected with the same user's live grants, so the subset stays a subset when
 * those change. A key with no list follows its user's grants and is broader than any list.
 * Categories: a caller seeing every category admits anything; for its own keys, a caller not
 * narrowed by its credential admits anything (the user's own restriction binds both), a narrowed
 * one a subset of its list; another user's key (admins) must list categories the caller sees now.
 */
export function broaderThanCaller(viewer: Viewer, caller: KeyRestriction, ownerId: number, key: KeyRestriction): { privileges: boolean; categories: boolean; ownTickets: boolean } {
  const own = ownerId === viewer.user.id;
  let privileges = false;
  if (!isAdmin(viewer)) {
    const allowed = own ? caller.privileges : [];
    if (allowed !== null) privileges = key.privileges === null || key.privileges.some((p) => !allowed.includes(p));
  }
  let categories = false;
  if (viewer.categoryIds !== null && !(own && caller.categoryIds === null)) {
    const allowed = own ? caller.categoryIds! : viewer.categoryIds;
    categories = key.categoryIds === null || key.categoryIds.some((id) => !allowed.includes(id));
  }
  // Own tickets only: for its own keys a caller restricted by its credential admits only restricted
  // keys (a caller restricted by its user is fine: the user's restriction binds every key); for
  // another user's key (admins) a restricted caller admits only a restricted key.
  const ownTickets = viewer.ownTicketsOnly && !(own && !caller.ownTicketsOnly) && !key.ownTicketsOnly;
  return { privileges, categories, ownTickets };
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
    if (ctx?.viewer && !ctx.viewer.system) {
      const beyond = await this.beyondCaller(ctx.viewer, user.id, narrowed.value);
      if (beyond.length) return refused(...beyond);
    }
    const secret = KEY_PREFIX + crypto.randomBytes(32).toString('base64url');
    const apiKey = this.db.manager.create(ApiKey, {
      userId: user.id,
      name: label,
      keyHash: hashKey(secret),
      prefix: secret.slice(0, 10),
      privileges: narrowed.value.privileges,
      categoryIds: narrowed.value.categoryIds,
      ownTicketsOnly: narrowed.value.ownTicketsOnly,
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
  private async checkScope(user: User, scope: ApiKeyScope): Promise<Result<KeyRestriction>> {
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
    return errors.length ? refused(...errors) : ok({ privileges, categoryIds, ownTicketsOnly: scope.ownTicketsOnly === true });
  }

  /**
   * A key may not be broader than the credential that issues it (else a narrowed key mints itself a
   * full one). An omitted list from a narrowed caller is refused rather than filled in with the
   * caller's: "omitted" means "all of the user's", and quietly issuing something else would leave the
   * client believing its new key can do what it cannot.
   */
  private async beyondCaller(viewer: Viewer, ownerId: number, key: KeyRestriction): Promise<Refusal[]> {
    const caller = await this.callerRestriction(viewer);
    const over = broaderThanCaller(viewer, caller, ownerId, key);
    const errors: Refusal[] = [];
    if (over.privileges) {
      const allowed = caller.privileges ?? [];
      const shown = allowed.length ? allowed.map((p) => p.toUpperCase()).join(', ') : 'no privileges';
      const message = key.privileges === null
        ? `The key you are calling with is limited to ${shown}: list the privileges of the new key (at most those)`
        : `The key you are calling with is limited to ${shown}; it cannot issue a key with ${key.privileges.filter((p) => !allowed.includes(p)).map((p) => p.toUpperCase()).join(', ')}`;
      errors.push(refusal(['input', 'privileges'], UserErrorCode.FORBIDDEN, message));
    }
    if (over.categories) {
      const allowedIds = ownerId === viewer.user.id && caller.categoryIds ? caller.categoryIds : (viewer.categoryIds ?? []);
      const names = async (ids: number[]) => (ids.length ? (await this.db.manager.findBy(Category, { id: In(ids) })).map((c) => c.key).sort().join(', ') : '');
      const shown = (await names([...allowedIds])) || 'no categories';
      const message = key.categoryIds === null
        ? `You are limited to categories ${shown}: list the categories of the new key (at most those)`
        : `You are limited to categories ${shown}; you cannot issue a key for ${await names(key.categoryIds.filter((id) => !allowedIds.includes(id)))}`;
      errors.push(refusal(['input', 'categories'], UserErrorCode.FORBIDDEN, message));
    }
    if (over.ownTickets) {
      errors.push(refusal(['input', 'ownTicketsOnly'], UserErrorCode.FORBIDDEN, 'You are limited to your own tickets: the new key must be too (ownTicketsOnly: true)'));
    }
    return errors;
  }

  /** The restriction of the caller's own credential; none for a JWT or ADMIN_API_KEY (the user's own scope). */
  private async callerRestriction(viewer: Viewer): Promise<KeyRestriction> {
    if (viewer.apiKeyId === null) return UNRESTRICTED;
    const key = await this.db.manager.findOneBy(ApiKey, { id: viewer.apiKeyId });
    // Revoked or deleted since it authenticated this request: nothing may be derived from it.
    return key ? { privileges: key.privileges, categoryIds: key.categoryIds, ownTicketsOnly: key.ownTicketsOnly } : { privileges: [], categoryIds: [], ownTicketsOnly: true };
  }

  /** Whether the caller may see and manage this key: its owner or an admin, and no broader than the caller's credential. */
  private async manages(viewer: Viewer, key: ApiKey): Promise<boolean> {
    if (viewer.user.id !== key.userId && !isAdmin(viewer)) return false;
    const over = broaderThanCaller(viewer, await this.callerRestriction(viewer), key.userId, key);
    return !over.privileges && !over.categories && !over.ownTickets;
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
    if (ctx && !(await this.manages(requireViewer(ctx), key))) return null;
    if (!key.revokedAt) {
      key.revokedAt = new Date();
      await this.db.manager.update(ApiKey, { id: key.id, revokedAt: IsNull() }, { revokedAt: key.revokedAt });
    }
    return key;
  }

  /** A key's record (never its secret), for its owner or an admin, when no broader than the caller's credential. */
  async findVisible(ctx: RequestContext, id: number): Promise<ApiKey | null> {
    const key = await this.db.manager.findOneBy(ApiKey, { id });
    return key && (await this.manages(requireViewer(ctx), key)) ? key : null;
  }

  /** A user's keys the caller may see (User.apiKeys): none unless theirs or an admin, and none broader than the caller's credential. */
  async listVisible(ctx: RequestContext, userId: number): Promise<ApiKey[]> {
    const viewer = requireViewer(ctx);
    if (viewer.user.id !== userId && !isAdmin(viewer)) return [];
    const caller = await this.callerRestriction(viewer);
    return (await this.listForUser(userId)).filter((key) => {
      const over = broaderThanCaller(viewer, caller, key.userId, key);
      return !over.privileges && !over.categories && !over.ownTickets;
    });
  }

  /** Every key of a user, for the CLI. */
  async listForUser(userId: number): Promise<ApiKey[]> {
    return this.db.manager.find(ApiKey, { where: { userId }, order: { id: 'ASC' } });
  }

  async findByPrefix(prefix: string): Promise<ApiKey[]> {
    return this.db.manager.find(ApiKey, { where: { prefix }, order: { id: 'ASC' } });
  }
}

