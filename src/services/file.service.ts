import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import { notFound } from '../common/errors';
import type { Logger } from '../common/logger';
import { catchConflict, ok, refusal, refused, UserErrorCode, type Result } from '../common/result';
import type { Database } from '../db/database';
import { TicketFile } from '../entities/ticket-file.entity';
import type { Ticket } from '../entities/ticket.entity';
import { ChangeType, TicketStatus } from '../entities/ticket.enums';
import type { RequestContext } from '../graphql/context';
import type { TicketRef } from '../graphql/global-id';
import { requireViewer } from './access';
import type { FileStore, StagedFile, StoredFile } from './file-store';
import type { HistoryWriter } from './history-writer';
import type { IdempotencyService } from './idempotency.service';
import type { TicketFinder } from './ticket-finder';

/** Files uploaded to a ticket, and the ticket as it is afterwards. */
export interface UploadedFiles {
  files: TicketFile[];
  ticket: Ticket;
}

/** Ticket files as the API offers them: uploads, removal, reads (with the ticket's visibility). */
export class FileService {
  constructor(
    private readonly db: Database,
    private readonly store: FileStore,
    private readonly finder: TicketFinder,
    private readonly history: HistoryWriter,
    private readonly idempotency: IdempotencyService,
    private readonly log: Logger,
  ) {}

  /**
   * Idempotent with clientMutationId (see idempotency.service.ts); a retry is compared by the files'
   * contents (SHA-256), which are staged first and discarded again when the retry is answered from the record.
   */
  async upload(ctx: RequestContext, ref: TicketRef | null, uploads: Promise<FileUpload>[], clientMutationId: string | null = null, expectedVersion: number | null = null): Promise<Result<UploadedFiles>> {
    const viewer = requireViewer(ctx);
    const ticket = await this.finder.require(ctx, ref);
    if (uploads.length === 0) return refused(refusal(['files'], UserErrorCode.BLANK, 'Send at least one file'));
    const staged = await this.store.stage(uploads, ['files']);
    if (!staged.ok) return staged;
    // What this request holds in storage until rows point to it: staged objects, then stored ones.
    let held: (StagedFile | StoredFile)[] = staged.value;
    try {
      return await this.idempotency.execute<{ fileIds: number[] }, UploadedFiles>(ctx, {
        operation: 'ticketFilesUpload',
        clientMutationId,
        field: ['clientMutationId'],
        input: { ticketId: ticket.id, files: staged.value.map((f) => ({ name: f.filename, type: f.contentType, size: f.size, sha256: f.sha256 })) },
        apply: async (record) => {
          const now = new Date();
          const stored = await this.store.store(staged.value, now);
          held = stored;
          const written = await catchConflict(
            this.db.transaction(ctx, async (tx) => {
              await this.history.touchTicket(tx, ticket.id, now, viewer.user.id, { expectedVersion });
              const rows = await this.store.attach(tx, ticket, stored, viewer.user.id, now);
              await record(tx, { fileIds: rows.map((r) => r.id) });
              return rows;
            }),
            ['expectedVersion'],
          );
          if (!written.ok) return written;
          held = [];
          ctx.loaders.ticketById.clear(ticket.id);
          ctx.loaders.ticketFiles.clear(ticket.id);
          return ok({ files: written.value, ticket: await this.finder.requireById(ctx, ticket.id) });
        },
        // Answered from the record: this request's files are not kept (released below).
        replay: async ({ fileIds }) => {
          const files = (await Promise.all(fileIds.map((id) => this.findVisible(ctx, id)))).filter((f): f is TicketFile => f !== null);
          return ok({ files, ticket: await this.finder.requireById(ctx, ticket.id) });
        },
      });
    } finally {
      // Refused, replayed, rolled back or failed: nothing this request stored stays without a row.
      await this.store.abandon(held);
    }
  }

  async findVisible(ctx: RequestContext, id: number): Promise<TicketFile | null> {
    const file = await this.db.em(ctx).findOneBy(TicketFile, { id });
    if (!file || file.expiresAt <= new Date()) return null;
    return (await this.finder.byId(ctx, file.ticketId)) ? file : null;
  }

  /** Live files of a ticket (expired ones disappear at once, before the sweep removes them). */
  filesOf(ctx: RequestContext, ticketId: number): Promise<TicketFile[]> {
    return ctx.loaders.ticketFiles.load(ticketId);
  }

  /** Removes a file: its row (with a FILE_REMOVED entry) in one transaction, then its object. Answers the ticket afterwards. */
  async delete(ctx: RequestContext, id: number | null, expectedVersion: number | null = null): Promise<Result<{ file: TicketFile; ticket: Ticket }>> {
    const viewer = requireViewer(ctx);
    const file = id === null ? null : await this.findVisible(ctx, id);
    if (!file) throw notFound('No such file');
    const ticket = await this.finder.requireById(ctx, file.ticketId);
    const now = new Date();
    const removed = await catchConflict(
      this.db.transaction(ctx, async (tx) => {
        // The ticket first (its version check and row lock), then the file.
        await this.history.touchTicket(tx, file.ticketId, now, viewer.user.id, { expectedVersion });
        const result = await this.db.em(tx).delete(TicketFile, { id: file.id });
        if (!result.affected) throw notFound('No such file'); // removed meanwhile: the touch rolls back too
        if (ticket.status !== TicketStatus.DRAFT) {
          await this.history.recordEntry(tx, file.ticketId, ChangeType.FILE_REMOVED, viewer.user.id, now, { oldValue: JSON.stringify(file.filename) });
        }
      }),
      ['expectedVersion'],
    );
    if (!removed.ok) return removed;
    // After commit: a crash here leaves an unreferenced object, never a row without its bytes.
    await this.store.storage.delete(file.storageKey).catch((err) => this.log.error({ err, key: file.storageKey }, 'could not delete file object'));
    ctx.loaders.ticketById.clear(file.ticketId);
    ctx.loaders.ticketFiles.clear(file.ticketId);
    return ok({ file, ticket: await this.finder.requireById(ctx, file.ticketId) });
  }
}
