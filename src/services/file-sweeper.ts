import { In, LessThanOrEqual } from 'typeorm';
import type { Logger } from '../common/logger';
import type { Database } from '../db/database';
import { TicketFile } from '../entities/ticket-file.entity';
import { ChangeType } from '../entities/ticket.enums';
import type { RequestContexts } from '../graphql/request-context';
import type { FileStorage } from '../storage/file-storage';
import type { HistoryWriter } from './history-writer';

/** The periodic file sweep (a background task): expired files, stale staged uploads, orphaned objects. */
export class FileSweeper {
  constructor(
    private readonly db: Database,
    private readonly storage: FileStorage,
    private readonly history: HistoryWriter,
    private readonly contexts: RequestContexts,
    private readonly log: Logger,
  ) {}

  /**
   * Removes expired files: the object first, then the row with a FILE_EXPIRED entry, so a crash
   * between the two leaves a row the next sweep finishes. Safe to run on every replica at once.
   */
  async sweepExpired(now = new Date(), batch = 100): Promise<number> {
    const ctx = this.contexts.system('file sweep');
    let removed = 0;
    for (;;) {
      const expired = await this.db.manager.find(TicketFile, { where: { expiresAt: LessThanOrEqual(now) }, order: { id: 'ASC' }, take: batch });
      for (const file of expired) {
        await this.storage.delete(file.storageKey);
        const gone = await this.db.transaction(ctx, async (tx) => {
          const result = await this.db.em(tx).delete(TicketFile, { id: file.id });
          if (!result.affected) return false;
          await this.history.touchTicket(tx, file.ticketId, now, null, { includeDeleted: true });
          await this.history.recordEntry(tx, file.ticketId, ChangeType.FILE_EXPIRED, null, now, { oldValue: JSON.stringify(file.filename) });
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
}
