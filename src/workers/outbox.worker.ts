import type { MailConfig } from '../config/config';
import type { Background, StopTimer } from '../common/background';
import type { Logger } from '../common/logger';
import { OutboxKind, type OutboxMessage } from '../entities/outbox-message.entity';
import type { NotificationService } from '../services/notification.service';
import type { OutboxService } from '../services/outbox.service';
import { PermanentDeliveryError } from '../common/errors';
import type { WebhookService } from '../services/webhook.service';
import type { JobService } from '../services/job.service';
import type { TicketOriginService } from '../services/ticket-origin.service';

/** Rows claimed at once, and how many tickets' rows are delivered side by side. */
const BATCH = 20;
const PARALLEL = 4;

/**
 * Delivers outbox rows after commit, and queues the daily overdue notices. Runs in every
 * replica: claims keep two workers off the same row, and overdue notices are deduplicated per
 * ticket and day in the table, so running the scan twice is harmless.
 */
export class OutboxWorker {
  private stopTimer: StopTimer | null = null;
  private running: Promise<void> | null = null;
  private overdueDoneFor: string | null = null;
  private stopped = false;

  constructor(
    private readonly outbox: OutboxService,
    private readonly notifications: NotificationService,
    private readonly webhooks: WebhookService,
    private readonly jobs: JobService,
    private readonly origins: TicketOriginService,
    private readonly config: MailConfig,
    private readonly background: Background,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /**
   * A round soon (new work was queued), instead of at the next poll; rounds never overlap. Called
   * from requests: the round is a background task, never part of the caller's scope.
   */
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

  /** One round: overdue scan when due, then deliveries until nothing is due. Exposed for tests. */
  async tick(now = new Date()): Promise<void> {
    await this.maybeQueueOverdue(now);
    await this.webhooks.refresh();
    for (;;) {
      const rows = await this.outbox.claim(BATCH, this.config.leaseMs);
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

  /** Performs one row and settles it: sent, or failed (retried later, or given up). */
  private async deliver(row: OutboxMessage): Promise<void> {
    try {
      const outcome =
        row.kind === OutboxKind.WEBHOOK ? await this.webhooks.deliver(row)
        : row.kind === OutboxKind.JOB_DISPATCH ? await this.jobs.dispatch(row)
        : row.kind === OutboxKind.JOB_TICKET ? await this.origins.deliverFailureTicket(row)
        : await this.notifications.deliver(row);
      await this.outbox.settleDone(row, outcome);
    } catch (err) {
      const permanent = err instanceof PermanentDeliveryError;
      const outcome = await this.outbox.settleFailed(row, (err as Error).message, permanent);
      if (outcome === 'failed' && row.kind === OutboxKind.WEBHOOK) await this.webhooks.gaveUp(row);
      if (outcome === 'failed' && row.kind === OutboxKind.JOB_DISPATCH) await this.jobs.dispatchFailed(row, (err as Error).message);
      this.log[outcome === 'failed' ? 'error' : 'warn']({ err, outboxId: row.id, kind: row.kind, attempts: row.attempts }, `outbox delivery failed (${outcome})`);
    }
  }

  private async maybeQueueOverdue(now: Date): Promise<void> {
    const day = now.toDateString();
    const { hour, minute } = this.config.overdueTime;
    if (this.overdueDoneFor === day || now.getHours() * 60 + now.getMinutes() < hour * 60 + minute) return;
    const queued = await this.notifications.queueOverdue(now);
    this.overdueDoneFor = day;
    if (queued) this.log.info({ queued, kind: OutboxKind.TICKET_OVERDUE }, 'overdue notices queued');
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
