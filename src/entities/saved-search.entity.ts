import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ObjectType } from 'type-graphql';
import { Node } from '../graphql/types/node.type';
import { DATETIME } from '../db/column-types';
import type { FilterJson } from '../search/ticket-filter.json';
import { User } from './user.entity';

export interface StoredOrder {
  field: string;
  direction: string;
  /** With field custom_field: the custom field key. */
  customField?: string;
}

/**
 * A user's saved ticket search ("preset"): a query, a typed filter or both, and a sort order.
 * It stores the query text, not its result, so relative dates (today, now-24h) and @me are
 * evaluated each time it runs. Built-in views share this GraphQL type without a row.
 */
@ObjectType({ implements: Node, description: 'A saved ticket search or a built-in view. Run it through its tickets field.' })
@Entity('saved_search')
@Index(['userId', 'name'], { unique: true })
export class SavedSearch {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Field({ description: 'Display name, unique per user.' })
  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Field(() => String, { nullable: true, description: 'Query language text, ANDed with filter.' })
  @Column({ type: 'text', nullable: true })
  query: string | null;

  /** The filter in its GraphQL JSON spelling (see ticket-filter.json.ts). */
  @Column({ type: 'simple-json', nullable: true })
  filter: FilterJson | null;

  @Column({ type: 'simple-json' })
  orderBy: StoredOrder[];

  @Field(() => Date, { nullable: true, description: 'Null for built-in views.' })
  @Column({ ...DATETIME })
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'Null for built-in views.' })
  @Column({ ...DATETIME })
  updatedAt: Date;

  /** Set on built-in views, which have no row. */
  builtInKey?: string;
}
