import type { OutboxConfig } from '../config/config';
import type { Background, StopTimer } from '../common/background';
import type { Logger } from '../common/logger';
import { PermanentDeliveryError } from '../common/errors';
import type { DeliveryOutcome, OutboxKind, OutboxMessage } from '../entities/outbox-message.entity';
import type { RequestContexts } from '../graphql/request-context';
import type { OutboxHandler } from '../services/outbox-handler';
import type { OutboxService } from '../services/outbox.service';
import { retryTransient } from '../common/retry';
import { isDatabaseUnavailable } from '../db/database';

/** Rows claimed at once, and how many tickets' rows are delivered side by side. */
const BATCH = 20;
const PARALLEL = 4;

/** Work a round does besides deliveries (the daily overdue scan, the webhook cache refresh). */
export type RoundTask = (now: Date) => Promise<void>;

/**
 * Delivers outbox rows after commit, each by the handler of its kind. Runs in every replica:
 * claims keep two workers off the same row. Rounds are background tasks: never part of the request
 * that nudged the worker.
 */
export class OutboxWorker {
  private readonly handlers = new Map<OutboxKind, OutboxHandler>();
  private stopTimer: StopTimer | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly outbox: OutboxService,
    handlers: readonly OutboxHandler[],
    private readonly roundTasks: readonly RoundTask[],
    private readonly contexts: RequestContexts,
    private readonly config: OutboxConfig,
    private readonly background: Background,
    private readonly log: Logger,
  ) {
    for (const handler of handlers) for (const kind of handler.kinds) this.handlers.set(kind, handler);
    outbox.onEnqueued(() => this.nudge());
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** A round soon (new work was queued), instead of at the next poll; rounds never overlap. */
  nudge(): void {
    if (this.stopped || this.running || !this.stopTimer) return;
    this.stopTimer();
    this.schedule(0);
  }

  /** Stops polling and waits for the delivery in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopTimer?.();
    await this.running;
  }

  /** One round: the round tasks, then deliveries until nothing is due. Exposed for tests. */
  async tick(now = new Date()): Promise<void> {
    for (const task of this.roundTasks) await task(now);
    const ctx = this.contexts.system('outbox');
    for (;;) {
      const rows = await this.outbox.claim(ctx, BATCH);
      // One ticket's rows go out in order (its Created mail before its Updated one, its webhooks in
      // the order of its changes); different tickets' go out side by side, a few at a time.
      const byTicket = new Map<string, OutboxMessage[]>();
      for (const row of rows) {
        const key = row.ticketId === null ? `row:${row.id}` : `ticket:${row.ticketId}`;
        byTicket.set(key, [...(byTicket.get(key) ?? []), row]);
      }
      const queues = [...byTicket.values()];
      await Promise.all(
        Array.from({ length: Math.min(PARALLEL, queues.length) }, async () => {
          for (let queue = queues.shift(); queue; queue = queues.shift()) for (const row of queue) await this.deliver(row);
        }),
      );
      if (rows.length < BATCH || this.stopped) return;
    }
  }

  /**
   * Performs one row with its kind's handler and settles it: done, or failed (retried later, or
   * given up). A row that went out is never settled as failed: when the database cannot record it
   * (a killed connection), recording (the handler's own record, then the settle) is retried while
   * the lease keeps other workers off the row, since a failed settle would send the mail or webhook
   * a second time.
   */
  private async deliver(row: OutboxMessage): Promise<void> {
    const handler = this.handlers.get(row.kind);
    let outcome: DeliveryOutcome;
    try {
      if (!handler) throw new PermanentDeliveryError(`No handler for outbox rows of kind ${row.kind}`);
      outcome = await handler.deliver(row);
    } catch (err) {
      const permanent = err instanceof PermanentDeliveryError;
      const reason = (err as Error).message;
      const settled = await this.outbox.settleFailed(row, reason, permanent);
      if (settled === 'failed') await handler?.gaveUp?.(row, reason);
      this.log[settled === 'failed' ? 'error' : 'warn']({ err, outboxId: row.id, kind: row.kind, attempts: row.attempts }, `outbox delivery failed (${settled})`);
      return;
    }
    const settle = async () => {
      if (outcome && 'record' in outcome) await outcome.record();
      await this.outbox.settleDone(row, outcome);
    };
    await retryTransient(settle, {
      transient: isDatabaseUnavailable,
      forMs: this.config.leaseMs / 2,
      onRetry: (err, attempt) => this.log.warn({ err, outboxId: row.id, attempt }, 'could not record a delivered outbox row yet; retrying'),
    });
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.stopTimer = this.background.after('outbox', delay, () => {
      this.stopTimer = null;
      this.running = this.tick()
        .catch((err) => this.log.error({ err }, 'outbox worker round failed'))
        .finally(() => {
          this.running = null;
          this.schedule(this.config.pollMs);
        });
      return this.running;
    });
  }
}
