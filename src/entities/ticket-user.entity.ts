import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Ticket } from './ticket.entity';
import { User } from './user.entity';

export enum TicketUserRole {
  ASSIGNEE = 'assignee',
  CC = 'cc',
}

/** People attached to a ticket in a role; one table so "tickets of user X" is one indexed lookup. */
@Entity('ticket_user')
@Index(['userId', 'role'])
export class TicketUser {
  @PrimaryColumn({ type: 'int' })
  ticketId: number;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  role: TicketUserRole;

  @PrimaryColumn({ type: 'int' })
  userId: number;

  /** Order in which the users were given, so lists read back as entered. */
  @Column({ type: 'smallint' })
  position: number;

  @ManyToOne(() => Ticket, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ticket_id' })
  ticket?: Ticket;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;
}
