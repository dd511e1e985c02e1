import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DATETIME } from '../db/column-types';
import { Ticket } from './ticket.entity';
import { User } from './user.entity';

/** Up to which version a user has read a ticket. */
@Entity('ticket_read')
export class TicketRead {
  @PrimaryColumn({ type: 'int' })
  userId: number;

  @PrimaryColumn({ type: 'int' })
  ticketId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @ManyToOne(() => Ticket, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ticket_id' })
  ticket?: Ticket;

  @Column({ type: 'int' })
  readVersion: number;

  @Column({ ...DATETIME })
  readAt: Date;
}
