import type { TicketChange } from '../entities/ticket-change.entity';
import type { ChangeType } from '../entities/ticket.enums';
import type { RequestContext } from '../graphql/context';

/** What listeners read of a single recorded entry. */
export type RecordedEntry = Pick<TicketChange, 'visibility' | 'authorId'>;

/**
 * Told, inside the writer's transaction, what a write did to a ticket; writes only what its side
 * effect needs (outbox rows, deliveries to make) or collects what to announce after commit. The
 * list of listeners (mail, webhooks, the change stream) is put together once, at the composition
 * root (services.ts), and HistoryWriter calls each in turn.
 */
export interface TicketChangeListener {
  /** A ticket was created open, or a draft was published. */
  ticketOpened(ctx: RequestContext, ticketId: number, at: Date): Promise<void>;
  /**
   * History entries firstChangeId..lastChangeId of one type were written; `entry` is the single
   * entry when there is one (comments, audit entries), so listeners need not read it back.
   */
  changesRecorded(ctx: RequestContext, ticketId: number, type: ChangeType, firstChangeId: number, lastChangeId: number, at: Date, entry?: RecordedEntry): Promise<void>;
  /** An internal note was made public for the first time (after its COMMENT_VISIBILITY entry was recorded). */
  notePublished?(ctx: RequestContext, ticketId: number, comment: Pick<TicketChange, 'id' | 'authorId'>, at: Date): Promise<void>;
}
