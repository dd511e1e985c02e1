import { fromBuffer as fileTypeFromBuffer } from 'file-type';
import { lookup } from 'mime-types';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import type { AppConfig } from '../config/config';
import { badUserInput } from '../common/errors';
import type { Logger } from '../common/logger';
import { ok, refusal, refused, UserErrorCode, type Result } from '../common/result';
import type { Database } from '../db/database';
import { TicketFile } from '../entities/ticket-file.entity';
import type { Ticket } from '../entities/ticket.entity';
import { ChangeType, TicketStatus } from '../entities/ticket.enums';
import type { RequestContext } from '../graphql/context';
import type { FileStorage, StagedObject } from '../storage/file-storage';
import type { HistoryWriter } from './history-writer';

type FilesConfig = AppConfig['files'];

/** A file whose bytes are staged in storage, checked and measured, waiting for its row. */
export interface StagedFile {
  staged: StagedObject;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
}

/** A staged file made final (FileStore.store), waiting for its row. */
export interface StoredFile extends StagedFile {
  storageKey: string;
}

class FileTooLarge extends Error {}

/**
 * The bytes and rows of ticket files: uploads (and job outputs) staged under the limits and type
 * rules with their checksum, made final before the transaction that records them, attached in
 * it, and cleaned up when that transaction does not happen.
 */
export class FileStore {
  constructor(
    private readonly db: Database,
    private readonly config: FilesConfig,
    readonly storage: FileStorage,
    private readonly history: HistoryWriter,
    private readonly log: Logger,
  ) {}

  /**
   * Streams every upload to staged storage, checking limits and types as it goes. All or nothing:
   * on the first refused file, everything staged so far is discarded and the errors returned.
   * `field` is the input path of the uploads list, for refusals.
   */
  async stage(uploads: Promise<FileUpload>[], field: string[]): Promise<Result<StagedFile[]>> {
    if (uploads.length > this.config.maxFilesPerRequest) {
      return refused(refusal(field, UserErrorCode.TOO_MANY_FILES, `At most ${this.config.maxFilesPerRequest} files per request (got ${uploads.length})`));
    }
    const staged: StagedFile[] = [];
    try {
      for (const [i, pending] of uploads.entries()) {
        const upload = await pending.catch((err: Error) => {
          throw badUserInput(`File ${i + 1} could not be read from the request: ${err.message}`);
        });
        const result = await this.stageOne(upload, [...field, String(i)]);
        if (!result.ok) {
          await this.abandon(staged);
          return result;
        }
        staged.push(result.value);
      }
    } catch (err) {
      await this.abandon(staged);
      throw err;
    }
    return ok(staged);
  }

  /**
   * Stages a file from this machine (a job's output) under the same limits and type rules as an
   * upload; its type comes from its extension.
   */
  stageLocalFile(filePath: string, filename: string, field: string[]): Promise<Result<StagedFile>> {
    const upload = {
      filename,
      mimetype: typeOfExtension(path.extname(filename)),
      encoding: '7bit',
      fieldName: field.join('.'),
      createReadStream: (opts?: { highWaterMark?: number }) => fs.createReadStream(filePath, { highWaterMark: opts?.highWaterMark }),
    } as unknown as FileUpload;
    return this.stageOne(upload, field);
  }

  private async stageOne(upload: FileUpload, field: string[]): Promise<Result<StagedFile>> {
    const filename = cleanFilename(upload.filename ?? '');
    if (!filename) return refused(refusal(field, UserErrorCode.INVALID, 'The file has no name'));
    const contentType = normalizeType(upload.mimetype);
    const refusedType = this.typeRefusal(filename, contentType);
    if (refusedType) return refused(refusal(field, UserErrorCode.FILE_TYPE_NOT_ALLOWED, `${filename}: ${refusedType}`));

    const tooLarge = () => refused<StagedFile>(refusal(field, UserErrorCode.FILE_TOO_LARGE, `${filename} is larger than the ${this.config.maxFileBytes}-byte limit`));
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
      return refused(refusal(field, UserErrorCode.EMPTY_FILE, `${filename} is empty`));
    }
    // The declared type and the name are the client's word; the first bytes are not. A denied
    // format (an executable named report.txt) is refused by what it is.
    const sniffed = (await fileTypeFromBuffer(meter.head))?.mime;
    const sniffedRefusal = sniffed && sniffed !== contentType ? this.typeRefusal('', sniffed) : null;
    if (sniffedRefusal) {
      await this.storage.discard(staged);
      return refused(refusal(field, UserErrorCode.FILE_TYPE_NOT_ALLOWED, `${filename}: its content is ${sniffed}, and ${sniffedRefusal}`));
    }
    const type = contentType === 'application/octet-stream' && sniffed ? sniffed : contentType;
    return ok({ staged, filename, contentType: type, size: meter.size, sha256: meter.digest() });
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
  /** Rows for stored files (and their FILE_ADDED entries); changeId: the reply they came with. */
  async attach(ctx: RequestContext, ticket: Ticket, files: StoredFile[], uploaderId: number | null, at: Date, changeId: number | null = null): Promise<TicketFile[]> {
    const em = this.db.em(ctx);
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
        changeId,
        createdAt: at,
        expiresAt: new Date(at.getTime() + this.config.expirationMs),
      });
      await em.insert(TicketFile, row);
      if (ticket.status !== TicketStatus.DRAFT) {
        await this.history.recordEntry(ctx, ticket.id, ChangeType.FILE_ADDED, uploaderId, at, { newValue: JSON.stringify(f.filename) });
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

  /** Storage keys of a ticket's files, read before a purge deletes the rows. */
  async keysOf(ctx: RequestContext, ticketId: number): Promise<string[]> {
    return (await this.db.em(ctx).find(TicketFile, { where: { ticketId }, select: { id: true, storageKey: true } })).map((f) => f.storageKey);
  }

  async deleteObjects(keys: string[]): Promise<void> {
    for (const key of keys) await this.storage.delete(key).catch((err) => this.log.error({ err, key }, 'could not delete file object'));
  }
}

/** Counts and hashes bytes on their way to storage, failing once the limit is passed. */
const SNIFF_BYTES = 4100;

class Meter extends Transform {
  size = 0;
  tooLarge = false;
  /** The first bytes, for magic-number sniffing (file-type reads at most this many). */
  head = Buffer.alloc(0);
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
    if (this.head.length < SNIFF_BYTES) this.head = Buffer.concat([this.head, chunk.subarray(0, SNIFF_BYTES - this.head.length)]);
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
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
/** A job output's type from its name (mime-types' database); unknown names are plain bytes. */
function typeOfExtension(ext: string): string {
  return lookup(ext) || 'application/octet-stream';
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
