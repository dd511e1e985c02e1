import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CustomField } from './custom-field.entity';
import { Ticket } from './ticket.entity';
import { User } from './user.entity';

/**
 * A ticket's value of a custom field: one row per value (a multi-choice field has one row per
 * chosen key), in the column of the field's type. Each value column is indexed after field_id, so
 * a search on one field (cf.site:berlin, cf.tier:>2) seeks the field's range of one index instead
 * of scanning tickets.
 */
@Entity('ticket_field_value')
@Index(['ticketId', 'fieldId'])
@Index(['fieldId', 'valueText'])
@Index(['fieldId', 'valueNumber'])
@Index(['fieldId', 'valueDate'])
@Index(['fieldId', 'valueUserId'])
export class TicketFieldValue {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  ticketId: number;

  @ManyToOne(() => Ticket, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ticket_id' })
  ticket?: Ticket;

  @Column({ type: 'int' })
  fieldId: number;

  @ManyToOne(() => CustomField, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'field_id' })
  field?: CustomField;

  /** TEXT values and choice keys. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  valueText: string | null;

  @Column({ type: 'double', nullable: true })
  valueNumber: number | null;

  /** DATE values as YYYY-MM-DD: sorts and compares as text on both databases. */
  @Column({ type: 'varchar', length: 10, nullable: true })
  valueDate: string | null;

  @Column({ type: 'int', nullable: true })
  valueUserId: number | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'value_user_id' })
  valueUser?: User;
}
