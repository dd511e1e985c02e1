import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Field, Int, ObjectType } from 'type-graphql';
import { Node } from '../graphql/types/node.type';
import { DATETIME } from '../db/column-types';
import { Category } from './category.entity';
import { TicketPriority } from './ticket.enums';

/** Working time: these weekdays (1 = Monday ... 7 = Sunday), from start to end, in timeZone. */
export interface BusinessHours {
  timeZone: string;
  days: number[];
  start: string;
  end: string;
}

/**
 * Response and resolution times for tickets of a priority and/or category (null: any). The most
 * specific policy wins: priority and category, then priority, then category, then the catch-all.
 */
@ObjectType({ implements: Node, description: 'Response and resolution targets (admin-managed).' })
@Entity('sla_policy')
export class SlaPolicy {
  @PrimaryGeneratedColumn()
  id: number;

  @Field({ description: 'Display name, unique.' })
  @Column({ type: 'varchar', length: 100, unique: true })
  name: string;

  @Field(() => TicketPriority, { nullable: true, description: 'Null: any priority.' })
  @Column({ type: 'smallint', nullable: true })
  priority: TicketPriority | null;

  @Index()
  @Column({ type: 'int', nullable: true })
  categoryId: number | null;

  @ManyToOne(() => Category, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'category_id' })
  category?: Category;

  @Field(() => Int, { description: 'Minutes (of working time, with business hours) to the first response.' })
  @Column({ type: 'int' })
  responseMinutes: number;

  @Field(() => Int, { description: 'Minutes (of working time, with business hours) to resolution; sets the due date.' })
  @Column({ type: 'int' })
  resolutionMinutes: number;

  /** Null: the clock runs around the clock. */
  @Column({ type: 'simple-json', nullable: true })
  businessHours: BusinessHours | null;

  @Field(() => Date, { description: 'When the policy was created.' })
  @Column({ ...DATETIME })
  createdAt: Date;
}
