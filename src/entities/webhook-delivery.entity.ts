import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Field, Int, ObjectType } from 'type-graphql';
import { Node } from '../graphql/types/node.type';
import { DATETIME } from '../db/column-types';
import { Webhook } from './webhook.entity';
import { WebhookEvent } from './webhook-event.enum';

/**
 * One event for one webhook: the delivery log. It is sent through the outbox (retries, backoff)
 * and its payload is built from the history entries it covers, with their previous values.
 */
@ObjectType({ implements: Node, description: 'One event sent (or being sent) to a webhook.' })
@Entity('webhook_delivery')
@Index(['webhookId', 'id'])
export class WebhookDelivery {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  webhookId: number;

  @ManyToOne(() => Webhook, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'webhook_id' })
  webhook?: Webhook;

  @Field(() => WebhookEvent, { description: 'What happened.' })
  @Column({ type: 'varchar', length: 40 })
  event: WebhookEvent;

  @Column({ type: 'int' })
  ticketId: number;

  /** History entries covered (none for ticket.created). */
  @Column({ type: 'int', nullable: true })
  fromChangeId: number | null;

  @Column({ type: 'int', nullable: true })
  toChangeId: number | null;

  @Field({ description: 'pending, delivered or failed.' })
  @Column({ type: 'varchar', length: 16 })
  status: string;

  @Field(() => Int, { description: 'How many times sending was tried.' })
  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Field(() => Int, { nullable: true, description: 'HTTP status of the last attempt.' })
  @Column({ type: 'int', nullable: true })
  responseStatus: number | null;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed; null when none did.' })
  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @Field(() => Date, { description: 'When the event was queued for the webhook.' })
  @Column({ ...DATETIME })
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'When the endpoint accepted it; null until then.' })
  @Column({ ...DATETIME, nullable: true })
  deliveredAt: Date | null;
}
