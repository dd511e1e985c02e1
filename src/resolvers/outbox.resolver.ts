import { Authorized, Query, Resolver } from 'type-graphql';
import { OutboxStatus } from '../graphql/types/outbox-status.type';
import { OutboxService } from '../services/outbox.service';
import { SERVER_ADMIN } from '../graphql/auth-checker';
import { SERVER_ADMIN_ONLY } from '../graphql/descriptions';

@Resolver()
export class OutboxResolver {
  constructor(private readonly outbox: OutboxService) {}

  @Authorized(SERVER_ADMIN)
  @Query(() => OutboxStatus, { nullable: true, description: `${SERVER_ADMIN_ONLY}; null with a FORBIDDEN error for others.` })
  async outboxStatus(): Promise<OutboxStatus> {
    const c = await this.outbox.counts();
    const age = c.oldestPendingAt ? Math.max(0, Math.round((Date.now() - c.oldestPendingAt.getTime()) / 1000)) : null;
    return { pending: c.pending, sending: c.sending, failed: c.failed, sent: c.sent, skipped: c.skipped, oldestPendingAgeSeconds: age };
  }
}
