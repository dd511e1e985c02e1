import crypto from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { In } from 'typeorm';
import type { MailConfig } from '../config/config';
import { sqlDateTime } from '../db/column-types';
import type { Database } from '../db/database';
import { OutboxKind, OutboxMessage, OutboxStatus, type DeliveryOutcome } from '../entities/outbox-message.entity';
import { TicketChange } from '../entities/ticket-change.entity';
import { Privilege, TicketStatus } from '../entities/ticket.enums';
import type { RequestContext } from '../graphql/context';
import { requirePrivilege } from './access';

export interface OutboxCounts {
  pending: number;
  sending: number;
  failed: number;
  sent: number;
  skipped: number;
  oldestPendingAt: Date | null;
}

const MAX_BACKOFF_MS = 3_600_000;

/**
 * The outbox table: side effects written in the transaction of the change that causes them
 * (enqueue*), then claimed, performed and settled by the worker (claim/settle*). Claims are
 * leases: a worker that dies leaves rows that become claimable again when the lease ends.
 */
export class OutboxService {
  constructor(
    private readonly db: Database,
    private readonly config: MailConfig,
  ) {}

  // ---- enqueue (inside the caller's transaction) ----

  /** The "created" mail of a ticket; at most one per ticket, whatever happens to it later. */
  async enqueueTicketCreated(em: EntityManager, ticketId: number, at: Date): Promise<void> {
    await this.insertIgnoringDuplicate(em, OutboxKind.TICKET_CREATED, ticketId, `created:${ticketId}`, at);
  }

  /** The daily overdue notice; the key holds the day, so replicas running the same scan add it once. */
  async enqueueOverdue(em: EntityManager, ticketId: number, day: string, at: Date): Promise<void> {
    await this.insertIgnoringDuplicate(em, OutboxKind.TICKET_OVERDUE, ticketId, `overdue:${ticketId}:${day}`, at);
  }

  /** A one-off mail (no deduplication): each call is one more mail. */
  async enqueue(em: EntityManager, kind: OutboxKind, ticketId: number, at: Date): Promise<void> {
    await em.insert(OutboxMessage, { kind, ticketId, dedupeKey: null, status: OutboxStatus.PENDING, attempts: 0, availableAt: at, createdAt: at });
  }

  /**
   * Adds history entries to the ticket's pending "updated" mail, or starts one, and pushes its
   * send time to `debounce` after now (a trailing debounce). Drafts are skipped in the same
   * statement. One statement: an upsert on the pending row's key.
   */
  async touchTicketUpdated(em: EntityManager, ticketId: number, firstChangeId: number, at: Date): Promise<void> {
    const key = `updated:${ticketId}`;
    const due = new Date(at.getTime() + this.config.debounceMs);
    const params = [OutboxKind.TICKET_UPDATED, ticketId, key, firstChangeId, OutboxStatus.PENDING, sqlDateTime(due), sqlDateTime(at), ticketId, TicketStatus.DRAFT];
    const select =
      'SELECT ?, ?, ?, ?, ?, 0, ?, ? FROM ticket WHERE id = ? AND status <> ?';
    const columns = '(kind, ticket_id, dedupe_key, from_change_id, status, attempts, available_at, created_at)';
    if (this.db.dialect === 'sqlite') {
      await em.query(`INSERT INTO outbox ${columns} ${select} ON CONFLICT(dedupe_key) DO UPDATE SET available_at = excluded.available_at`, params);
    } else {
      await em.query(`INSERT INTO outbox ${columns} ${select} ON DUPLICATE KEY UPDATE available_at = VALUES(available_at)`, params);
    }
  }

  private async insertIgnoringDuplicate(em: EntityManager, kind: OutboxKind, ticketId: number, key: string, at: Date): Promise<void> {
    await em.query(
      `${this.db.insertIgnore} INTO outbox (kind, ticket_id, dedupe_key, status, attempts, available_at, created_at) VALUES (?, ?, ?, ?, 0, ?, ?)`,
      [kind, ticketId, key, OutboxStatus.PENDING, sqlDateTime(at), sqlDateTime(at)],
    );
  }

  // ---- worker side ----

  /**
   * Claims up to `limit` due rows for `leaseMs`. A claimed "updated" row gives up its key (later
   * changes start a new pending row) and fixes the last history entry it covers: every change
   * committed before the claim, none after. MySQL/MariaDB claim with SELECT ... FOR UPDATE SKIP
   * LOCKED, so replicas never take the same row; SQLite has one writer at a time.
   */
  async claim(limit: number, leaseMs: number, now = new Date()): Promise<OutboxMessage[]> {
    const until = new Date(now.getTime() + leaseMs);
    return this.db.transaction(async (em) => {
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
        if (row.kind === OutboxKind.TICKET_UPDATED && row.dedupeKey !== null) {
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
    const skipped = outcome ? outcome.skipped : null;
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

  /** Admins only: the delivery backlog. */
  async status(ctx: RequestContext): Promise<OutboxCounts> {
    requirePrivilege(ctx, Privilege.ADMIN);
    return this.counts();
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
