import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DATETIME } from '../db/column-types';
import { Ticket } from './ticket.entity';

/**
 * A ticket forwarded by mail (ticketForward): what the outbox row (refId) sends, kept so the mail
 * is composed after commit, and again on a retry, exactly as it was asked for. Its FORWARDED
 * history entry records who forwarded to whom and when.
 */
@Entity('ticket_forward')
export class TicketForward {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  ticketId: number;

  @ManyToOne(() => Ticket, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ticket_id' })
  ticket?: Ticket;

  /** The FORWARDED history entry. */
  @Column({ type: 'int', nullable: true })
  changeId: number | null;

  @Column({ type: 'int', nullable: true })
  authorId: number | null;

  /** Lower-cased addresses. */
  @Column({ type: 'simple-json' })
  to: string[];

  @Column({ type: 'simple-json' })
  cc: string[];

  @Column({ type: 'text', nullable: true })
  message: string | null;

  /** Ticket files attached, in the order given. */
  @Column({ type: 'simple-json' })
  fileIds: number[];

  @Column({ ...DATETIME })
  createdAt: Date;
}
