import { Column, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ObjectType } from 'type-graphql';
import { DATETIME } from '../db/column-types';

/** Shared shape of admin-managed labels (categories, tags): a stable key and a display title. */
@ObjectType()
export abstract class KeyedLabel {
  @PrimaryGeneratedColumn()
  id: number;

  @Field({ description: 'Stable identifier used in inputs and searches, e.g. "database".' })
  @Column({ type: 'varchar', length: 64, unique: true })
  key: string;

  @Field({ description: 'Display name.' })
  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Field(() => Date, { description: 'When it was created.' })
  @Column({ ...DATETIME })
  createdAt: Date;
}
