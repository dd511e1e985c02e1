import crypto from 'node:crypto';
import type { AppConfig } from '../config/config';
import type { Database } from '../db/database';
import { AppSecret } from '../entities/app-secret.entity';
import { TicketFile } from '../entities/ticket-file.entity';
import { toGlobalId } from '../graphql/global-id';

/**
 * Signed download links: `/files/<id>/<name>?token=<expiry>.<HMAC>` works without an API key until
 * it expires (FILE_LINK_TTL), or its file is removed or expires, or its ticket is deleted. The signing key is generated once and shared by every replica
 * through the database.
 */
export class FileLinks {
  private linkKey: Buffer | null = null;

  constructor(
    private readonly db: Database,
    private readonly config: AppConfig['files'],
    private readonly publicUrl: string,
  ) {}

  /** A download link that works without the API key until it expires (FILE_LINK_TTL). */
  async url(file: TicketFile, now = Date.now()): Promise<string> {
    const exp = Math.floor((now + this.config.linkTtlMs) / 1000);
    const id = toGlobalId('TicketFile', file.id);
    const token = `${exp}.${await this.sign(`${id}:${exp}`)}`;
    return `${this.publicUrl}/files/${id}/${encodeURIComponent(file.filename)}?token=${token}`;
  }

  /** The file a download link names, if its token is genuine and unexpired, the file not expired and its ticket not deleted. */
  async forToken(id: number, token: string): Promise<TicketFile | null> {
    const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m || Number(m[1]) * 1000 < Date.now()) return null;
    const expected = Buffer.from(await this.sign(`${toGlobalId('TicketFile', id)}:${m[1]}`));
    const given = Buffer.from(m[2]);
    if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return null;
    // The link dies with its file and with its ticket: a soft-deleted ticket's files are gone for
    // API keys (404), so a link handed out earlier must not keep serving them.
    const file = await this.db.manager
      .createQueryBuilder(TicketFile, 'f')
      .innerJoin('f.ticket', 't')
      .where('f.id = :id', { id })
      .andWhere('t.deletedAt IS NULL')
      .getOne();
    return file && file.expiresAt > new Date() ? file : null;
  }

  private async sign(payload: string): Promise<string> {
    return crypto.createHmac('sha256', await this.key()).update(payload).digest('base64url');
  }

  /** The link-signing key, generated once and shared by every replica through the database. */
  private async key(): Promise<Buffer> {
    if (this.linkKey) return this.linkKey;
    const name = 'file-link-key';
    let row = await this.db.manager.findOneBy(AppSecret, { name });
    if (!row) {
      try {
        await this.db.manager.insert(AppSecret, { name, value: crypto.randomBytes(32).toString('hex') });
      } catch {
        // Another replica created it first.
      }
      row = await this.db.manager.findOneByOrFail(AppSecret, { name });
    }
    this.linkKey = Buffer.from(row.value, 'hex');
    return this.linkKey;
  }
}

