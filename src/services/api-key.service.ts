import crypto from 'node:crypto';
import { IsNull } from 'typeorm';
import type { Database } from '../db/database';
import { ApiKey } from '../entities/api-key.entity';
import { User } from '../entities/user.entity';
import { notFound } from '../common/errors';
import type { RequestContext } from '../graphql/context';
import { userError, UserErrorCode, type UserError } from '../graphql/types/user-error.type';
import { isAdmin, requireViewer } from './access';

const KEY_PREFIX = 'tg_';

export function hashKey(secret: string): string {
  return crypto.createHash('sha256').update(secret, 'utf8').digest('hex');
}

export type ApiKeyIssueResult = { apiKey: ApiKey; secret: string; userErrors: [] } | { apiKey: null; secret: null; userErrors: UserError[] };

export class ApiKeyService {
  constructor(private readonly db: Database) {}

  /**
   * Issues a key for a user. The secret is returned once and only its hash is stored.
   * Users may issue keys for themselves; admins for anyone. ctx null: the CLI.
   */
  async issue(ctx: RequestContext | null, user: User, name: string, expiresAt: Date | null): Promise<ApiKeyIssueResult> {
    if (ctx) {
      const viewer = requireViewer(ctx);
      if (viewer.user.id !== user.id && !isAdmin(viewer)) {
        return { apiKey: null, secret: null, userErrors: [userError(['input', 'username'], UserErrorCode.FORBIDDEN, 'Only an admin may issue keys for another user')] };
      }
    }
    const label = name.trim();
    if (label === '' || label.length > 100) {
      return { apiKey: null, secret: null, userErrors: [userError(['input', 'name'], UserErrorCode.INVALID, 'Name must be 1-100 characters')] };
    }
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      return { apiKey: null, secret: null, userErrors: [userError(['input', 'expiresAt'], UserErrorCode.INVALID, 'expiresAt must be in the future')] };
    }
    const secret = KEY_PREFIX + crypto.randomBytes(32).toString('base64url');
    const apiKey = this.db.manager.create(ApiKey, {
      userId: user.id,
      name: label,
      keyHash: hashKey(secret),
      prefix: secret.slice(0, 10),
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
      createdAt: new Date(),
    });
    await this.db.transaction((em) => em.insert(ApiKey, apiKey));
    return { apiKey, secret, userErrors: [] };
  }

  /** The API entry point: issue for the caller, or (admins) for the named user. */
  async issueFor(ctx: RequestContext, username: string | null, name: string, expiresAt: Date | null): Promise<ApiKeyIssueResult> {
    const viewer = requireViewer(ctx);
    const user = username === null ? viewer.user : await this.db.manager.findOneBy(User, { username: username.trim().toLowerCase(), active: true });
    if (!user) {
      const message = isAdmin(viewer) ? `Unknown user: ${username}` : 'Only an admin may issue keys for another user';
      return { apiKey: null, secret: null, userErrors: [userError(['input', 'username'], isAdmin(viewer) ? UserErrorCode.NOT_FOUND : UserErrorCode.FORBIDDEN, message)] };
    }
    return this.issue(ctx, user, name, expiresAt);
  }

  /** The API entry point for revocation; a key the caller may not touch reads as not found. */
  async revokeById(ctx: RequestContext, keyId: number | null): Promise<{ apiKey: ApiKey; userErrors: [] }> {
    const apiKey = keyId === null ? null : await this.revoke(ctx, keyId);
    if (!apiKey) throw notFound('No such API key');
    return { apiKey, userErrors: [] };
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
      await this.db.transaction((em) => em.update(ApiKey, { id: key.id, revokedAt: IsNull() }, { revokedAt: key.revokedAt }));
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

