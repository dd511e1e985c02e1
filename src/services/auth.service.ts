import crypto from 'node:crypto';
import type { Database } from '../db/database';
import type { Logger } from '../common/logger';
import { unauthenticated } from '../common/errors';
import { ApiKey } from '../entities/api-key.entity';
import { User } from '../entities/user.entity';
import type { Viewer } from '../graphql/context';
import { effectiveGrants, hashKey } from './api-key.service';
import { looksLikeJwt, type JwtVerifier } from './jwt.verifier';

/** How often last-used times are written: once a minute per key is enough to audit, and keeps reads read-only. */
const LAST_USED_RESOLUTION_MS = 60_000;

export class AuthService {
  private readonly adminKeyHash: Buffer | null;

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    adminApiKey: string | null,
    private readonly jwt: JwtVerifier | null = null,
  ) {
    this.adminKeyHash = adminApiKey ? Buffer.from(hashKey(adminApiKey), 'hex') : null;
  }

  /**
   * The caller behind an Authorization header. No header: anonymous (null). A header that does not
   * identify an active user (unknown, revoked or expired key, other scheme) is an error, never anonymous.
   */
  async authenticate(authorization: string | undefined): Promise<Viewer | null> {
    if (authorization === undefined || authorization.trim() === '') return null;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw unauthenticated('Unsupported Authorization header: use Bearer <api key or JWT>');
    const token = match[1];
    const hash = hashKey(token);

    if (this.adminKeyHash && crypto.timingSafeEqual(this.adminKeyHash, Buffer.from(hash, 'hex'))) {
      const admin = await this.activeUser('admin');
      if (admin) return toViewer(admin, null, 'api_key');
    }

    if (looksLikeJwt(token)) return this.authenticateJwt(token);

    const key = await this.keyByHash(hash);
    const now = Date.now();
    if (!key || !key.user || key.revokedAt || (key.expiresAt && key.expiresAt.getTime() <= now) || !key.user.active) {
      throw unauthenticated('Invalid, revoked or expired API key');
    }
    if (!key.lastUsedAt || now - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      // Not awaited: recording use must not slow or fail the request.
      this.db.manager
        .update(ApiKey, { id: key.id }, { lastUsedAt: new Date(now) })
        .catch((err: unknown) => this.log.warn({ err, apiKeyId: key.id }, 'could not record API key use'));
    }
    return toViewer(key.user, key, 'api_key');
  }

  // The caller lookups run on every request: plain SQL text mapped to the entities (db/entity-rows.ts).

  private async activeUser(username: string): Promise<User | null> {
    const u = this.db.rows(User, 'u');
    const rows: Record<string, unknown>[] = await this.db.manager.query(`SELECT ${u.select} FROM ${u.table} u WHERE ${u.col('username')} = ? AND ${u.col('active')} = 1`, [username]);
    return rows.length > 0 ? u.map(rows[0]) : null;
  }

  /** The key with this hash and its user. */
  private async keyByHash(hash: string): Promise<ApiKey | null> {
    const k = this.db.rows(ApiKey, 'k');
    const u = this.db.rows(User, 'u');
    const rows: Record<string, unknown>[] = await this.db.manager.query(`SELECT ${k.select}, ${u.select} FROM ${k.table} k INNER JOIN ${u.table} u ON ${u.col('id')} = ${k.col('userId')} WHERE ${k.col('keyHash')} = ?`, [hash]);
    if (rows.length === 0) return null;
    const key = k.map(rows[0]);
    if (key) key.user = u.map(rows[0]) ?? undefined;
    return key;
  }

  /** A JWT names a user; it carries that user's privileges and categories (the identity provider says who, we say what). */
  private async authenticateJwt(token: string): Promise<Viewer> {
    if (!this.jwt) throw unauthenticated('JWT bearer tokens are not enabled on this server (set JWT_SECRET or JWKS_URL); use an API key');
    const username = await this.jwt.username(token);
    const user = await this.activeUser(username);
    if (!user) throw unauthenticated('Invalid JWT: it names no active user');
    return toViewer(user, null, 'jwt');
  }
}

function toViewer(user: User, key: ApiKey | null, credential: 'api_key' | 'jwt'): Viewer {
  return { user, ...effectiveGrants(user, key), apiKeyId: key?.id ?? null, credential };
}
