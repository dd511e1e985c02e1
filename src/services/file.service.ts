import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { EntityManager } from 'typeorm';
import { In, LessThanOrEqual } from 'typeorm';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import type { AppConfig } from '../config/config';
import { badUserInput, notFound } from '../common/errors';
import type { Logger } from '../common/logger';
import type { Database } from '../db/database';
import { AppSecret } from '../entities/app-secret.entity';
import { TicketFile } from '../entities/ticket-file.entity';
import type { Ticket } from '../entities/ticket.entity';
import { ChangeType, Privilege, TicketStatus } from '../entities/ticket.enums';
import type { RequestContext } from '../graphql/context';
import { rowIdOf, toGlobalId } from '../graphql/global-id';
import { userError, UserErrorCode, type UserError } from '../graphql/types/user-error.type';
import type { FileStorage, StagedObject } from '../storage/file-storage';
import { requirePrivilege } from './access';
import { conflictError, type ChangeService } from './change.service';
import type { TicketService } from './ticket.service';

type FilesConfig = AppConfig['files'];

/** A file whose bytes are staged in storage, checked and measured, waiting for its row. */
export interface StagedFile {
  staged: StagedObject;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
}

/** A staged file made final (FileService.store), waiting for its row. */
export interface StoredFile extends StagedFile {
  storageKey: string;
}

export type StageResult = { ok: true; files: StagedFile[] } | { ok: false; errors: UserError[] };
export type FilesResult = { files: TicketFile[]; ticket: Ticket | null; userErrors: UserError[] };

class FileTooLarge extends Error {}

/**
 * Ticket files: staging uploads (limits, type rules, checksum), attaching them in the caller's
 * transaction, deletion, the expiry sweep and signed download links.
 */
export class FileService {
  private linkKey: Buffer | null = null;

  constructor(
    private readonly db: Database,
    private readonly config: FilesConfig,
    private readonly publicUrl: string,
    readonly storage: FileStorage,
    private readonly changes: ChangeService,
    private readonly tickets: () => TicketService,
    private readonly log: Logger,
  ) {}

  // ---- uploads ----

  /**
   * Streams every upload to staged storage, checking limits and types as it goes. All or nothing:
   * on the first refused file, everything staged so far is discarded and the errors returned.
   * `field` is the input path of the uploads list, for userErrors.
   */
  async stage(uploads: Promise<FileUpload>[], field: string[]): Promise<StageResult> {
    if (uploads.length > this.config.maxFilesPerRequest) {
      return refused(userError(field, UserErrorCode.TOO_MANY_FILES, `At most ${this.config.maxFilesPerRequest} files per request (got ${uploads.length})`));
    }
    const staged: StagedFile[] = [];
    try {
      for (const [i, pending] of uploads.entries()) {
        const upload = await pending.catch((err: Error) => {
          throw badUserInput(`File ${i + 1} could not be read from the request: ${err.message}`);
        });
        const result = await this.stageOne(upload, [...field, String(i)]);
        if ('code' in result) {
          await this.abandon(staged);
          return refused(result);
        }
        staged.push(result);
      }
    } catch (err) {
      await this.abandon(staged);
      throw err;
    }
    return { ok: true, files: staged };
  }

  /**
   * Stages a file from this machine (a job's output) under the same limits and type rules as an
   * upload; its type comes from its extension.
   */
  stageLocalFile(filePath: string, filename: string, field: string[]): Promise<StagedFile | UserError> {
    const upload = {
      filename,
      mimetype: typeOfExtension(path.extname(filename)),
      encoding: '7bit',
      fieldName: field.join('.'),
      createReadStream: (opts?: { highWaterMark?: number }) => fs.createReadStream(filePath, { highWaterMark: opts?.highWaterMark }),
    } as unknown as FileUpload;
    return this.stageOne(upload, field);
  }

  private async stageOne(upload: FileUpload, field: string[]): Promise<StagedFile | UserError> {
    const filename = cleanFilename(upload.filename ?? '');
    if (!filename) return userError(field, UserErrorCode.INVALID, 'The file has no name');
    const contentType = normalizeType(upload.mimetype);
    const refusedType = this.typeRefusal(filename, contentType);
    if (refusedType) return userError(field, UserErrorCode.FILE_TYPE_NOT_ALLOWED, `${filename}: ${refusedType}`);

    const tooLarge = () => userError(field, UserErrorCode.FILE_TOO_LARGE, `${filename} is larger than the ${this.config.maxFileBytes}-byte limit`);
    const meter = new Meter(this.config.maxFileBytes);
    let source: Readable;
    try {
      // Throws at once when the part already failed while earlier files were being stored.
      // 256 KB reads instead of fs-capacitor's 16 KB: the same memory bound, about 1.6x the throughput (bench/).
      source = upload.createReadStream({ highWaterMark: 256 * 1024 });
    } catch (err) {
      if (isTruncation(err as Error)) return tooLarge();
      throw badUserInput(`${filename} could not be read from the request: ${(err as Error).message}`);
    }
    // graphql-upload fails the stream when the file passes FILE_MAX_BYTES, the multipart body is
    // malformed or the client disconnects: the request's fault, unlike a storage failure.
    let requestError: Error | null = null;
    source.on('error', (err) => {
      requestError = err;
      meter.destroy(isTruncation(err) ? new FileTooLarge() : err);
    });
    let staged: StagedObject;
    try {
      staged = await this.storage.stage(source.pipe(meter), contentType);
    } catch (err) {
      if (err instanceof FileTooLarge || meter.tooLarge) return tooLarge();
      if (requestError) throw badUserInput(`${filename} could not be read from the request: ${(requestError as Error).message}`);
      throw err;
    }
    if (meter.size === 0) {
      await this.storage.discard(staged);
      return userError(field, UserErrorCode.EMPTY_FILE, `${filename} is empty`);
    }
    return { staged, filename, contentType, size: meter.size, sha256: meter.digest() };
  }

  private typeRefusal(filename: string, contentType: string): string | null {
    const ext = path.extname(filename).toLowerCase();
    const matches = (rule: string) => rule === ext || rule === contentType || (rule.endsWith('/*') && contentType.startsWith(rule.slice(0, -1)));
    if (this.config.deniedTypes.some(matches)) return `files of type ${contentType}${ext ? ` or ${ext}` : ''} are not accepted`;
    if (this.config.allowedTypes.length > 0 && !this.config.allowedTypes.some(matches)) {
      return `only ${this.config.allowedTypes.join(', ')} are accepted`;
    }
    return null;
  }

  /**
   * Makes staged files final, before the transaction that writes their rows: storage I/O (on S3 a
   * copy and a delete per file) never runs while a transaction holds locks. If the rows are then
   * not written, pass the result to abandon(); a crash in between leaves objects without rows,
   * which the orphan sweep removes. All or nothing: on a failure, nothing of the batch stays.
   */
  async store(files: StagedFile[], at: Date): Promise<StoredFile[]> {
    const stored: StoredFile[] = [];
    try {
      for (const f of files) {
        const storageKey = storageKeyFor(at);
        await this.storage.promote(f.staged, storageKey);
        stored.push({ ...f, storageKey });
      }
    } catch (err) {
      await this.abandon([...stored, ...files.slice(stored.length)]);
      throw err;
    }
    return stored;
  }

  /**
   * Inside the caller's transaction: the rows of stored files (and their history, except on
   * drafts). Database only, so the transaction may be retried.
   */
  async attach(em: EntityManager, ticket: Ticket, files: StoredFile[], uploaderId: number | null, at: Date): Promise<TicketFile[]> {
    const rows: TicketFile[] = [];
    for (const f of files) {
      const row = em.create(TicketFile, {
        ticketId: ticket.id,
        storageKey: f.storageKey,
        filename: f.filename,
        size: f.size,
        contentType: f.contentType,
        sha256: f.sha256,
        uploadedById: uploaderId,
        createdAt: at,
        expiresAt: new Date(at.getTime() + this.config.expirationMs),
      });
      await em.insert(TicketFile, row);
      if (ticket.status !== TicketStatus.DRAFT) {
        await this.changes.recordEntry(em, ticket.id, ChangeType.FILE_ADDED, uploaderId, at, { newValue: JSON.stringify(f.filename) });
      }
      rows.push(row);
    }
    return rows;
  }

  /** Cleans up files whose rows were not written: staged objects are discarded, stored ones deleted. */
  async abandon(files: (StagedFile | StoredFile)[]): Promise<void> {
    for (const f of files) {
      if ('storageKey' in f) await this.storage.delete(f.storageKey).catch((err) => this.log.error({ err, key: f.storageKey }, 'could not delete file object'));
      else await this.storage.discard(f.staged).catch((err) => this.log.error({ err, key: f.staged.tempKey }, 'could not discard staged upload'));
    }
  }

  /**
   * Idempotent with clientMutationId (see idempotency.service.ts); a retry is compared by the files'
   * contents (SHA-256), which are staged first and discarded again when the retry is answered from the record.
   */
  async upload(ctx: RequestContext, ticketRef: string, uploads: Promise<FileUpload>[], clientMutationId: string | null = null, expectedVersion: number | null = null): Promise<FilesResult> {
    const viewer = requirePrivilege(ctx, Privilege.EDIT_TICKETS);
    const ticket = await this.tickets().requireTicket(ctx, ticketRef);
    if (uploads.length === 0) return { files: [], ticket: null, userErrors: [userError(['files'], UserErrorCode.BLANK, 'Send at least one file')] };
    const staged = await this.stage(uploads, ['files']);
    if (!staged.ok) return { files: [], ticket: null, userErrors: staged.errors };
    // What this request holds in storage until rows point to it: staged objects, then stored ones.
    let held: (StagedFile | StoredFile)[] = staged.files;
    const release = async () => {
      const files = held;
      held = [];
      await this.abandon(files);
    };
    try {
      return await ctx.services.idempotency.execute<{ fileIds: number[] }, FilesResult>(ctx, {
        operation: 'ticketFilesUpload',
        clientMutationId,
        field: ['clientMutationId'],
        input: { ticketId: ticket.id, files: staged.files.map((f) => ({ name: f.filename, type: f.contentType, size: f.size, sha256: f.sha256 })) },
        apply: async (record) => {
          const now = new Date();
          const stored = await this.store(staged.files, now);
          held = stored;
          let rows: TicketFile[];
          try {
            rows = await this.db.transaction(async (em) => {
              await this.changes.touchTicket(em, ticket.id, now, viewer.user.id, { expectedVersion });
              const attached = await this.attach(em, ticket, stored, viewer.user.id, now);
              await record(em, { fileIds: attached.map((r) => r.id) });
              return attached;
            });
          } catch (err) {
            const conflict = conflictError(err, ['expectedVersion']);
            await release();
            return { files: [], ticket: null, userErrors: [conflict] };
          }
          held = [];
          ctx.loaders.ticketById.clear(ticket.id);
          ctx.loaders.ticketFiles.clear(ticket.id);
          return { files: rows, ticket: await this.tickets().findVisibleById(ctx, ticket.id), userErrors: [] };
        },
        // Answered from the record (or refused): this request's files are not kept.
        replay: async ({ fileIds }) => {
          await release();
          const files = (await Promise.all(fileIds.map((id) => this.findVisible(ctx, id)))).filter((f): f is TicketFile => f !== null);
          return { files, ticket: await this.tickets().findVisibleById(ctx, ticket.id), userErrors: [] };
        },
        refuse: async (error) => {
          await release();
          return { files: [], ticket: null, userErrors: [error] };
        },
      });
    } catch (err) {
      // The transaction rolled back (or never ran): nothing this request stored stays.
      await release();
      throw err;
    }
  }

  // ---- reads and removal ----

  async findVisible(ctx: RequestContext, id: number): Promise<TicketFile | null> {
    const file = await this.db.manager.findOneBy(TicketFile, { id });
    if (!file || file.expiresAt <= new Date()) return null;
    const ticket = await this.tickets().findVisibleById(ctx, file.ticketId);
    return ticket ? file : null;
  }

  /** Live files of a ticket (expired ones disappear at once, before the sweep removes them). */
  filesOf(ctx: RequestContext, ticketId: number): Promise<TicketFile[]> {
    return ctx.loaders.ticketFiles.load(ticketId);
  }

  async delete(ctx: RequestContext, fileRef: string, expectedVersion: number | null = null): Promise<{ deletedId: string | null; ticket: Ticket | null; userErrors: UserError[] }> {
    const viewer = requirePrivilege(ctx, Privilege.EDIT_TICKETS);
    const id = rowIdOf('TicketFile', fileRef);
    const file = id === null ? null : await this.findVisible(ctx, id);
    if (!file) throw notFound(`No file ${fileRef}`);
    const ticket = await this.tickets().requireTicket(ctx, file.ticketId);
    const now = new Date();
    const removed = await this.db.transaction(async (em) => {
      // The ticket first (its version check and row lock), then the file.
      await this.changes.touchTicket(em, file.ticketId, now, viewer.user.id, { expectedVersion });
      const result = await em.delete(TicketFile, { id: file.id });
      if (!result.affected) throw notFound(`No file ${fileRef}`); // removed meanwhile: the touch rolls back too
      if (ticket.status !== TicketStatus.DRAFT) {
        await this.changes.recordEntry(em, file.ticketId, ChangeType.FILE_REMOVED, viewer.user.id, now, { oldValue: JSON.stringify(file.filename) });
      }
      return true as const;
    }).catch((err: unknown) => conflictError(err, ['expectedVersion']));
    if (removed !== true) return { deletedId: null, ticket: null, userErrors: [removed] };
    // After commit: a crash here leaves an unreferenced object, never a row without its bytes.
    await this.storage.delete(file.storageKey).catch((err) => this.log.error({ err, key: file.storageKey }, 'could not delete file object'));
    ctx.loaders.ticketById.clear(file.ticketId);
    ctx.loaders.ticketFiles.clear(file.ticketId);
    return { deletedId: fileRef, ticket: await this.tickets().findVisibleById(ctx, file.ticketId), userErrors: [] };
  }

  /** Storage keys of a ticket's files, read before a purge deletes the rows. */
  async keysOf(em: EntityManager, ticketId: number): Promise<string[]> {
    return (await em.find(TicketFile, { where: { ticketId }, select: { id: true, storageKey: true } })).map((f) => f.storageKey);
  }

  async deleteObjects(keys: string[]): Promise<void> {
    for (const key of keys) await this.storage.delete(key).catch((err) => this.log.error({ err, key }, 'could not delete file object'));
  }

  /**
   * Removes expired files: the object first, then the row with a FILE_EXPIRED entry, so a crash
   * between the two leaves a row the next sweep finishes. Safe to run on every replica at once.
   */
  async sweepExpired(now = new Date(), batch = 100): Promise<number> {
    let removed = 0;
    for (;;) {
      const expired = await this.db.manager.find(TicketFile, { where: { expiresAt: LessThanOrEqual(now) }, order: { id: 'ASC' }, take: batch });
      for (const file of expired) {
        await this.storage.delete(file.storageKey);
        const gone = await this.db.transaction(async (em) => {
          const result = await em.delete(TicketFile, { id: file.id });
          if (!result.affected) return false;
          await this.changes.touchTicket(em, file.ticketId, now, null, { includeDeleted: true });
          await this.changes.recordEntry(em, file.ticketId, ChangeType.FILE_EXPIRED, null, now, { oldValue: JSON.stringify(file.filename) });
          return true;
        });
        if (gone) removed++;
      }
      if (expired.length < batch) break;
    }
    const staleStaged = await this.storage.sweepStaged(24 * 3_600_000);
    const orphans = await this.sweepOrphans(24 * 3_600_000);
    if (removed || staleStaged || orphans) this.log.info({ expired: removed, staleStaged, orphans }, 'file sweep');
    return removed;
  }

  /**
   * Final objects no file row points to: a crash (kill -9) between promote() and the commit of
   * the row leaves one. Only objects older than olderThanMs are considered, so an upload still
   * committing is never taken for an orphan.
   */
  async sweepOrphans(olderThanMs: number, batch = 500): Promise<number> {
    let removed = 0;
    const check = async (keys: string[]) => {
      const known = new Set((await this.db.manager.find(TicketFile, { where: { storageKey: In(keys) }, select: { id: true, storageKey: true } })).map((f) => f.storageKey));
      for (const key of keys.filter((k) => !known.has(k))) {
        await this.storage.delete(key);
        removed++;
      }
    };
    let keys: string[] = [];
    for await (const key of this.storage.finalKeys(olderThanMs)) {
      keys.push(key);
      if (keys.length >= batch) {
        await check(keys);
        keys = [];
      }
    }
    if (keys.length) await check(keys);
    return removed;
  }

  // ---- download links ----

  /** A download link that works without the API key until it expires (FILE_LINK_TTL). */
  async url(file: TicketFile, now = Date.now()): Promise<string> {
    const exp = Math.floor((now + this.config.linkTtlMs) / 1000);
    const id = toGlobalId('TicketFile', file.id);
    const token = `${exp}.${await this.sign(`${id}:${exp}`)}`;
    return `${this.publicUrl}/files/${id}/${encodeURIComponent(file.filename)}?token=${token}`;
  }

  /** The file a download request names, if the token (or, without one, the viewer) may read it. */
  async forDownload(globalId: string, auth: { token: string } | { ctx: RequestContext }): Promise<TicketFile | null> {
    const id = rowIdOf('TicketFile', globalId);
    if (id === null) return null;
    if ('ctx' in auth) return this.findVisible(auth.ctx, id);
    const m = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(auth.token);
    if (!m || Number(m[1]) * 1000 < Date.now()) return null;
    const expected = Buffer.from(await this.sign(`${globalId}:${m[1]}`));
    const given = Buffer.from(m[2]);
    if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return null;
    const file = await this.db.manager.findOneBy(TicketFile, { id });
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

/** Counts and hashes bytes on their way to storage, failing once the limit is passed. */
class Meter extends Transform {
  size = 0;
  tooLarge = false;
  private readonly hash = crypto.createHash('sha256');

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.tooLarge = true;
      done(new FileTooLarge());
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

function refused(error: UserError): StageResult {
  return { ok: false, errors: [error] };
}

function isTruncation(err: Error & { status?: number }): boolean {
  return err.status === 413;
}

/** Base name only, no control or bidi-override characters, NFC, at most 255 characters (keeping the extension). */
export function cleanFilename(raw: string): string {
  let name = raw.normalize('NFC').split(/[/\\]/).pop() ?? '';
  name = name.replace(/[\p{Cc}\p{Cf}]/gu, '').replace(/\s+/g, ' ').trim();
  if (name === '.' || name === '..') return '';
  if (name.length > 255) {
    const ext = path.extname(name).slice(0, 20);
    name = name.slice(0, 255 - ext.length) + ext;
  }
  return name;
}

/** Common types of job outputs; anything else is application/octet-stream. */
const EXTENSION_TYPES: Record<string, string> = {
  '.txt': 'text/plain', '.log': 'text/plain', '.md': 'text/markdown', '.csv': 'text/csv', '.json': 'application/json', '.xml': 'application/xml',
  '.yaml': 'application/yaml', '.yml': 'application/yaml', '.html': 'text/html', '.htm': 'text/html', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.pdf': 'application/pdf', '.zip': 'application/zip', '.gz': 'application/gzip',
  '.tar': 'application/x-tar', '.sh': 'application/x-sh', '.js': 'text/javascript',
};

function typeOfExtension(ext: string): string {
  return EXTENSION_TYPES[ext.toLowerCase()] ?? 'application/octet-stream';
}

function normalizeType(mimetype: string | undefined): string {
  const type = (mimetype ?? '').split(';')[0].trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type) ? type : 'application/octet-stream';
}

/** Server-made keys spread over year/month folders; nothing of the client's name reaches storage. */
function storageKeyFor(at: Date): string {
  const month = String(at.getUTCMonth() + 1).padStart(2, '0');
  return `${at.getUTCFullYear()}/${month}/${crypto.randomUUID()}`;
}
