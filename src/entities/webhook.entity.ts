import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ObjectType } from 'type-graphql';
import { Node } from '../graphql/types/node.type';
import { DATETIME } from '../db/column-types';
import { WebhookEvent } from './webhook-event.enum';

/** An endpoint that receives signed ticket events (admin-managed). */
@ObjectType({ implements: Node, description: 'An endpoint that receives signed ticket events.' })
@Entity('webhook')
export class Webhook {
  @PrimaryGeneratedColumn()
  id: number;

  @Field({ description: 'Where the signed events are POSTed (http or https).' })
  @Column({ type: 'varchar', length: 2000 })
  url: string;

  /** HMAC-SHA256 key for the signature header; shown once, at creation. */
  @Column({ type: 'varchar', length: 128 })
  secret: string;

  @Field(() => [WebhookEvent], { description: 'The kinds of events it receives.' })
  @Column({ type: 'simple-json' })
  events: WebhookEvent[];

  @Field(() => String, { nullable: true, description: 'Only tickets matching this query (the ticket query language).' })
  @Column({ type: 'text', nullable: true })
  query: string | null;

  @Field({ description: 'Requester-facing: receives no internal notes (nor entries about them). Staff webhooks (false) receive them, marked visibility INTERNAL.' })
  @Column({ type: 'boolean', default: false })
  requesterFacing: boolean;

  @Field({ description: 'Inactive webhooks receive nothing.' })
  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Field(() => Date, { description: 'When the webhook was created.' })
  @Column({ ...DATETIME })
  createdAt: Date;
}
