import type { DeliveryOutcome, OutboxKind, OutboxMessage } from '../entities/outbox-message.entity';

/**
 * Performs outbox rows of some kinds, after commit, in the outbox worker. One per kind of side
 * effect (mail, webhook deliveries, job dispatch, failed-job tickets), registered at the
 * composition root; the worker picks a row's handler by its kind.
 */
export interface OutboxHandler {
  readonly kinds: readonly OutboxKind[];
  /** Throws to be retried later; PermanentDeliveryError when retrying cannot help. */
  deliver(row: OutboxMessage): Promise<DeliveryOutcome>;
  /** The outbox gave up on a row (out of attempts, or refused for good). */
  gaveUp?(row: OutboxMessage, reason: string): Promise<void>;
}
