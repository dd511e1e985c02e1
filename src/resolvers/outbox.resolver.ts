import { Ctx, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../graphql/context';

@ObjectType({ description: 'The outbox worker: side effects (mail) waiting, being delivered, given up.' })
class OutboxStatus {
  @Field(() => Int) pending: number;
  @Field(() => Int) sending: number;
  @Field(() => Int, { description: 'Given up after OUTBOX_MAX_ATTEMPTS or a permanent refusal.' }) failed: number;
  @Field(() => Int) sent: number;
  @Field(() => Int, { description: 'Settled with nothing to deliver (the ticket or webhook was deleted, no recipient was left, the job was no longer queued ...).' }) skipped: number;
  @Field(() => Int, { nullable: true, description: 'Age of the oldest pending item, in seconds.' }) oldestPendingAgeSeconds: number | null;
}

@Resolver()
export class OutboxResolver {
  @Query(() => OutboxStatus, { description: 'Admin only.' })
  async outboxStatus(@Ctx() ctx: RequestContext): Promise<OutboxStatus> {
    const c = await ctx.services.outbox.status(ctx);
    const age = c.oldestPendingAt ? Math.max(0, Math.round((Date.now() - c.oldestPendingAt.getTime()) / 1000)) : null;
    return { pending: c.pending, sending: c.sending, failed: c.failed, sent: c.sent, skipped: c.skipped, oldestPendingAgeSeconds: age };
  }
}
