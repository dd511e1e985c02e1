import crypto from 'node:crypto';
import { In } from 'typeorm';
import type { OutboxConfig } from '../config/config';
import { sqlDateTime } from '../db/column-types';
import type { Database, InTransaction } from '../db/database';
import { OutboxKind, OutboxMessage, OutboxStatus, type DeliveryOutcome } from '../entities/outbox-message.entity';
import { TicketChange } from '../entities/ticket-change.entity';
import { TicketStatus } from '../entities/ticket.enums';

export interface OutboxCounts {
  pending: number;
  sending: number;
  failed: number;
  sent: number;
  skipped: number;
  oldestPendingAt: Date | null;
}

const MAX_BACKOFF_MS = 3_600_000;

/** A side effect to perform after commit. */
export interface OutboxItem {
  kind: OutboxKind;
  ticketId: number | null;
  /** The row it is about (a webhook delivery, a job). */
  refId?: number | null;
  /** At most one row with this key is ever written (later ones are dropped). */
  dedupeKey?: string | null;
  /** The history entry a mail is about (a published note). */
  fromChangeId?: number | null;
  at: Date;
}

/**
 * The outbox table: side effects written in the transaction of the change that causes them (the
 * only writer of outbox rows), then claimed, performed and settled by the worker. Claims are
 * leases: a worker that dies leaves rows that become claimable again when the lease ends.
 */
export class OutboxService {
  private readonly wakeUps = new Set<() => void>();

  constructor(
    private readonly db: Database,
    private readonly config: OutboxConfig,
  ) {}

  // ---- enqueue (inside the caller's transaction) ----

  /** Writes a row, due now or at item.at; with a dedupeKey, only the first row of that key. */
  async enqueue(ctx: InTransaction, item: OutboxItem): Promise<void> {
    const em = this.db.em(ctx);
    if (item.dedupeKey) {
      await em.query(
        `${this.db.insertIgnore} INTO outbox (kind, ticket_id, ref_id, dedupe_key, from_change_id, status, attempts, available_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`,
        [item.kind, item.ticketId, item.refId ?? null, item.dedupeKey, item.fromChangeId ?? null, OutboxStatus.PENDING, sqlDateTime(item.at), sqlDateTime(item.at)],
      );
    } else {
      await em.insert(OutboxMessage, { kind: item.kind, ticketId: item.ticketId, refId: item.refId ?? null, dedupeKey: null, fromChangeId: item.fromChangeId ?? null, status: OutboxStatus.PENDING, attempts: 0, availableAt: item.at, createdAt: item.at });
    }
    this.db.afterCommit(ctx, () => this.wakeUps.forEach((wake) => wake()));
  }

  /**
   * A trailing-debounced row per ticket and kind (the "updated" mail): starts one due `delayMs`
   * after `at`, or pushes the pending one's time back, keeping the first history entry it covers.
   * Drafts are skipped in the same statement. One statement: an upsert on the pending row's key.
   */
  async enqueueDebounced(ctx: InTransaction, item: { kind: OutboxKind; ticketId: number; fromChangeId: number; at: Date; delayMs: number }): Promise<void> {
    const due = new Date(item.at.getTime() + item.delayMs);
    const params = [item.kind, item.ticketId, debounceKey(item.kind, item.ticketId), item.fromChangeId, OutboxStatus.PENDING, sqlDateTime(due), sqlDateTime(item.at), item.ticketId, TicketStatus.DRAFT];
    const select = 'SELECT ?, ?, ?, ?, ?, 0, ?, ? FROM ticket WHERE id = ? AND status <> ?';
    const columns = '(kind, ticket_id, dedupe_key, from_change_id, status, attempts, available_at, created_at)';
    const upsert = this.db.dialect === 'sqlite' ? 'ON CONFLICT(dedupe_key) DO UPDATE SET available_at = excluded.available_at' : 'ON DUPLICATE KEY UPDATE available_at = VALUES(available_at)';
    await this.db.em(ctx).query(`INSERT INTO outbox ${columns} ${select} ${upsert}`, params);
  }

  /** Called after the commit of every row that is due at once (the worker's nudge). */
  onEnqueued(wake: () => void): void {
    this.wakeUps.add(wake);
  }

  // ---- worker side ----

  /**
   * Claims up to `limit` due rows for `leaseMs`. A claimed "updated" row gives up its key (later
   * changes start a new pending row) and fixes the last history entry it covers: every change
   * committed before the claim, none after. MySQL/MariaDB claim with SELECT ... FOR UPDATE SKIP
   * LOCKED, so replicas never take the same row; SQLite has one writer at a time.
   */
  async claim(ctx: InTransaction, limit: number, now = new Date()): Promise<OutboxMessage[]> {
    const until = new Date(now.getTime() + this.config.leaseMs);
    return this.db.transaction(ctx, async (tx) => {
      const em = this.db.em(tx);
      const due = em
        .createQueryBuilder(OutboxMessage, 'o')
        .select('o.id', 'id')
        .where('(o.status = :pending AND o.availableAt <= :now) OR (o.status = :sending AND o.claimedUntil < :now)', {
          pending: OutboxStatus.PENDING,
          sending: OutboxStatus.SENDING,
          now,
        })
        .orderBy('o.availableAt', 'ASC')
        .limit(limit);
      if (this.db.dialect === 'mysql') due.setLock('pessimistic_write').setOnLocked('skip_locked');
      const ids = (await due.getRawMany<{ id: number }>()).map((r) => Number(r.id));
      if (ids.length === 0) return [];
      const rows = await em.find(OutboxMessage, { where: { id: In(ids) }, order: { availableAt: 'ASC' } });
      for (const row of rows) {
        row.status = OutboxStatus.SENDING;
        row.claimedUntil = until;
        row.attempts += 1;
        if (row.dedupeKey === debounceKey(row.kind, row.ticketId)) {
          // A plain (snapshot) read: changes still being written belong to the next mail.
          const last = await em.createQueryBuilder(TicketChange, 'c').select('MAX(c.id)', 'max').where('c.ticketId = :t', { t: row.ticketId }).getRawOne<{ max: number | null }>();
          row.toChangeId = last?.max == null ? row.fromChangeId : Number(last.max);
          row.dedupeKey = null;
        }
        await em.update(OutboxMessage, { id: row.id }, {
          status: row.status,
          claimedUntil: row.claimedUntil,
          attempts: row.attempts,
          toChangeId: row.toChangeId,
          dedupeKey: row.dedupeKey,
        });
      }
      return rows;
    });
  }

  /** Done: delivered, or (skipped) found nothing to deliver, which last_error records. */
  async settleDone(row: OutboxMessage, outcome: DeliveryOutcome, now = new Date()): Promise<void> {
    const skipped = outcome && 'skipped' in outcome ? outcome.skipped : null;
    await this.db.manager.update(OutboxMessage, { id: row.id }, { status: skipped ? OutboxStatus.SKIPPED : OutboxStatus.SENT, sentAt: now, claimedUntil: null, lastError: skipped?.slice(0, 2000) ?? null });
  }

  /** Retries with exponential backoff (and jitter), or gives up when permanent or out of attempts. */
  async settleFailed(row: OutboxMessage, error: string, permanent: boolean, now = new Date()): Promise<'retry' | 'failed'> {
    const giveUp = permanent || row.attempts >= this.config.maxAttempts;
    const backoff = Math.min(MAX_BACKOFF_MS, this.config.retryBaseMs * 2 ** (row.attempts - 1)) * (0.75 + crypto.randomInt(0, 500) / 1000);
    await this.db.manager.update(OutboxMessage, { id: row.id }, {
      status: giveUp ? OutboxStatus.FAILED : OutboxStatus.PENDING,
      availableAt: giveUp ? row.availableAt : new Date(now.getTime() + backoff),
      claimedUntil: null,
      lastError: error.slice(0, 2000),
    });
    return giveUp ? 'failed' : 'retry';
  }

  async counts(): Promise<OutboxCounts> {
    const rows = await this.db.manager
      .createQueryBuilder(OutboxMessage, 'o')
      .select('o.status', 'status')
      .addSelect('COUNT(*)', 'n')
      .addSelect('MIN(o.createdAt)', 'oldest')
      .groupBy('o.status')
      .getRawMany<{ status: OutboxStatus; n: string | number; oldest: string | Date | null }>();
    const by = new Map(rows.map((r) => [r.status, r]));
    const n = (s: OutboxStatus) => Number(by.get(s)?.n ?? 0);
    const oldest = by.get(OutboxStatus.PENDING)?.oldest ?? null;
    return {
      pending: n(OutboxStatus.PENDING),
      sending: n(OutboxStatus.SENDING),
      failed: n(OutboxStatus.FAILED),
      sent: n(OutboxStatus.SENT),
      skipped: n(OutboxStatus.SKIPPED),
      oldestPendingAt: oldest === null ? null : oldest instanceof Date ? oldest : new Date(`${String(oldest).replace(' ', 'T')}Z`),
    };
  }
}

/** The key of a ticket's pending debounced row: given up when the row is claimed, so later changes start a new one. */
function debounceKey(kind: OutboxKind, ticketId: number | null): string {
  return kind === OutboxKind.TICKET_UPDATED ? `updated:${ticketId}` : `${kind}:${ticketId}`;
}
