import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Counters allocated inside the creating transaction, so numbers are unique and gap-free per commit. */
@Entity('ticket_sequence')
export class TicketSequence {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  name: string;

  @Column({ type: 'int' })
  counter: number;
}
