import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { DATETIME } from '../db/column-types';
import { Category } from './category.entity';
import { Node } from '../graphql/types/node.type';

/** What values a custom field holds; decides the value column and the input variant. */
export enum CustomFieldType {
  TEXT = 'text',
  NUMBER = 'number',
  DATE = 'date',
  SINGLE_CHOICE = 'single_choice',
  MULTI_CHOICE = 'multi_choice',
  USER = 'user',
}

registerEnumType(CustomFieldType, {
  name: 'CustomFieldType',
  description: 'The type of a custom field: which value variant it takes and how it is searched.',
  valuesConfig: {
    TEXT: { description: 'Free text up to 500 characters (the `text` variant); searched by exact value.' },
    NUMBER: { description: 'A number (the `number` variant); searched by value and ranges.' },
    DATE: { description: 'A calendar day YYYY-MM-DD (the `date` variant); searched by day and ranges.' },
    SINGLE_CHOICE: { description: 'One of the field\'s choices, by choice key (the `choice` variant).' },
    MULTI_CHOICE: { description: 'Any number of the field\'s choices, by choice keys (the `choices` variant).' },
    USER: { description: 'An active user, by username (the `user` variant).' },
  },
});

@ObjectType('CustomFieldChoice', { description: 'One allowed value of a choice field.' })
export class CustomFieldChoice {
  @Field({ description: 'Stable key stored on tickets and used in searches (cf.site:berlin).' }) key: string;
  @Field({ description: 'Display name.' }) title: string;
}

/** An admin-defined ticket field (site, department, tier, environment ...). */
@ObjectType('CustomField', { implements: Node, description: 'An admin-defined typed ticket field. Tickets set it by key in `customFields`; searches name it cf.<key>.' })
@Entity('custom_field')
export class CustomField {
  @PrimaryGeneratedColumn()
  id: number;

  @Field({ description: 'Stable identifier used in inputs and queries, e.g. "site" (cf.site:berlin).' })
  @Column({ type: 'varchar', length: 64, unique: true })
  key: string;

  @Field({ description: 'Display name.' })
  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Field(() => CustomFieldType, { description: 'Value type; cannot change once tickets hold values.' })
  @Column({ type: 'varchar', length: 16 })
  type: CustomFieldType;

  @Field(() => [CustomFieldChoice], { description: 'Allowed values of choice fields, in display order; empty for other types.' })
  @Column({ type: 'simple-json' })
  choices: CustomFieldChoice[];

  @Field({ description: 'false: archived. Archived fields keep their values and stay searchable, but cannot be set.' })
  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Field({ description: 'Display order (ascending), then key.' })
  @Column({ type: 'int', default: 0 })
  position: number;

  @Field(() => Date, { description: 'When it was created.' })
  @Column({ ...DATETIME })
  createdAt: Date;
}

/** The categories in which a field must have a value. */
@Entity('custom_field_category')
@Index(['categoryId'])
export class CustomFieldCategory {
  @PrimaryColumn({ type: 'int' })
  fieldId: number;

  @PrimaryColumn({ type: 'int' })
  categoryId: number;

  @ManyToOne(() => CustomField, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'field_id' })
  field?: CustomField;

  @ManyToOne(() => Category, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'category_id' })
  category?: Category;
}
