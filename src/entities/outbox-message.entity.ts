import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { DATETIME } from '../db/column-types';

export enum OutboxKind {
  TICKET_CREATED = 'mail.ticket_created',
  TICKET_UPDATED = 'mail.ticket_updated',
  TICKET_OVERDUE = 'mail.ticket_overdue',
  /** ticketClose with notifyRequester: a mail to the requester alone. */
  TICKET_CLOSED = 'mail.ticket_closed',
  /** ticketResolve with notifyRequester: the resolution and how to reopen, to the requester alone. */
  TICKET_RESOLVED = 'mail.ticket_resolved',
  /** The acknowledgement of a new (or published) ticket, to its requester. */
  REQUESTER_ACK = 'mail.requester_ack',
  /** Public replies by others, debounced like the "updated" mail, to the requester. */
  REQUESTER_REPLY = 'mail.requester_reply',
  /** ticketForward (refId: the ticket_forward row). */
  TICKET_FORWARD = 'mail.ticket_forward',
  /** A webhook delivery (refId: the webhook_delivery row). */
  WEBHOOK = 'webhook',
  /** Sends a job to its runner (refId: the job row); at least once, even across restarts. */
  JOB_DISPATCH = 'job.dispatch',
  /** Opens the ticket about a failed job whose event asks for one (ticketOnFailure or a FAILURE ticket action; refId: the job row). */
  JOB_TICKET = 'job.ticket',
  /** Opens the ticket about a job that started, for an event's START ticket action (refId: the job row). */
  JOB_TICKET_START = 'job.ticket_start',
  /** Opens the ticket about a job that succeeded, for an event's SUCCESS ticket action (refId: the job row). */
  JOB_TICKET_SUCCESS = 'job.ticket_success',
}

export enum OutboxStatus {
  PENDING = 'pending',
  SENDING = 'sending',
  SENT = 'sent',
  /** Settled with nothing to deliver: the ticket or webhook is gone, no recipient, the job no longer queued ... (last_error says what). */
  SKIPPED = 'skipped',
  FAILED = 'failed',
}

/** What performing a row came to: delivered, or nothing to deliver (and why). */
/**
 * What a handler reports: skipped (nothing to deliver, and why), or delivered, optionally with the
 * handler's own record of the delivery still to write. The worker writes that record with the
 * settle, retried while the database is away: the side effect has happened, so a failed write must
 * never send it again.
 */
export type DeliveryOutcome = { skipped: string } | { record: () => Promise<void> } | void;

/**
 * A side effect to perform after commit (today: mail). Written in the transaction of the change
 * that causes it; a worker claims due rows, performs them and records the outcome, retrying
 * with backoff. The row id is the delivery's identity (the mail's Message-ID).
 */
@Entity('outbox')
@Index(['status', 'availableAt'])
export class OutboxMessage {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 32 })
  kind: OutboxKind;

  @Column({ type: 'int', nullable: true })
  ticketId: number | null;

  /**
   * At most one row per key: the pending "updated" digest of a ticket (cleared when claimed, so
   * later changes start a new one) and the daily overdue notice (kept, so replicas cannot repeat it).
   */
  @Column({ type: 'varchar', length: 100, nullable: true, unique: true })
  dedupeKey: string | null;

  /** First and last history entries an "updated" mail covers; the last is fixed when claimed. */
  @Column({ type: 'int', nullable: true })
  fromChangeId: number | null;

  @Column({ type: 'int', nullable: true })
  toChangeId: number | null;

  /** The row this side effect is about, for kinds that have one (webhook deliveries). */
  @Column({ type: 'int', nullable: true })
  refId: number | null;

  @Column({ type: 'varchar', length: 16 })
  status: OutboxStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ ...DATETIME })
  availableAt: Date;

  /** A claim expires (the worker died) after this; the row can be claimed again. */
  @Column({ ...DATETIME, nullable: true })
  claimedUntil: Date | null;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @Column({ ...DATETIME })
  createdAt: Date;

  @Column({ ...DATETIME, nullable: true })
  sentAt: Date | null;
}
