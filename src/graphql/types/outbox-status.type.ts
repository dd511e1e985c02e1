import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'The outbox worker: side effects (mail) waiting, being delivered, given up.' })
export class OutboxStatus {
  @Field(() => Int, { description: 'Waiting to be delivered (including retries).' }) pending: number;
  @Field(() => Int, { description: 'Claimed by a worker right now.' }) sending: number;
  @Field(() => Int, { description: 'Given up after OUTBOX_MAX_ATTEMPTS or a permanent refusal.' }) failed: number;
  @Field(() => Int, { description: 'Delivered.' }) sent: number;
  @Field(() => Int, { description: 'Settled with nothing to deliver (the ticket or webhook was deleted, no recipient was left, the job was no longer queued ...).' }) skipped: number;
  @Field(() => Int, { nullable: true, description: 'Age of the oldest pending item, in seconds.' }) oldestPendingAgeSeconds: number | null;
}
