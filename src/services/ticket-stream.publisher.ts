import type { Logger } from '../common/logger';
import type { Database } from '../db/database';
import type { ChangeType } from '../entities/ticket.enums';
import type { RequestContext } from '../graphql/context';
import type { TicketChangeListener } from './ticket-change-listener';
import type { TicketStreamBus, TicketStreamMessage } from './ticket-stream.bus';

/**
 * The change stream's side of a write: collects what the transaction wrote (entry ranges, opened
 * tickets) and publishes one message per ticket on the bus after commit (Database.afterCommit),
 * never on rollback.
 */
export class TicketStreamPublisher implements TicketChangeListener {
  private readonly pending = new WeakMap<object, Map<number, TicketStreamMessage>>();

  constructor(
    private readonly db: Database,
    private readonly bus: TicketStreamBus,
    private readonly log: Logger,
  ) {}

  async ticketOpened(ctx: RequestContext, ticketId: number): Promise<void> {
    this.collect(ctx, ticketId, (m) => (m.opened = true));
  }

  async changesRecorded(ctx: RequestContext, ticketId: number, _type: ChangeType, firstChangeId: number, lastChangeId: number): Promise<void> {
    this.collect(ctx, ticketId, (m) => m.ranges.push([firstChangeId, lastChangeId]));
  }

  /** Adds to what this transaction announces at commit; the first addition registers the announcement. */
  private collect(ctx: RequestContext, ticketId: number, add: (message: TicketStreamMessage) => void): void {
    const tx = ctx.tx;
    if (!tx) {
      // Written outside a transaction: committed already.
      const message: TicketStreamMessage = { ticketId, ranges: [], opened: false };
      add(message);
      return this.publish([message]);
    }
    let messages = this.pending.get(tx);
    const fresh = !messages;
    if (!messages) this.pending.set(tx, (messages = new Map()));
    let message = messages.get(ticketId);
    if (!message) messages.set(ticketId, (message = { ticketId, ranges: [], opened: false }));
    add(message);
    if (!fresh) return;
    const collected = messages;
    this.db.afterCommit(ctx, () => {
      this.pending.delete(tx);
      this.publish([...collected.values()]);
    });
  }

  private publish(messages: TicketStreamMessage[]): void {
    try {
      this.bus.publish(messages);
    } catch (err) {
      this.log.error({ err }, 'could not publish ticket events');
    }
  }
}
