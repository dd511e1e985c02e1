import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ObjectType } from 'type-graphql';
import { SafeIntResolver } from 'graphql-scalars';
import { Node } from '../graphql/types/node.type';
import { DATETIME } from '../db/column-types';
import { TicketChange } from './ticket-change.entity';
import { Ticket } from './ticket.entity';
import { User } from './user.entity';

/**
 * A file attached to a ticket. The bytes live in the file storage under storageKey; this row is
 * written in the same transaction that makes the stored object final, so neither exists alone.
 */
@ObjectType({ implements: Node, description: 'A file attached to a ticket (artifact, log, screenshot).' })
@Entity('ticket_file')
@Index(['ticketId', 'id'])
export class TicketFile {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  ticketId: number;

  @ManyToOne(() => Ticket, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ticket_id' })
  ticket?: Ticket;

  @Column({ type: 'varchar', length: 200, unique: true })
  storageKey: string;

  @Field({ description: 'Cleaned name: no path, no control characters.' })
  @Column({ type: 'varchar', length: 255 })
  filename: string;

  @Field(() => SafeIntResolver, { description: 'Bytes.' })
  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } })
  size: number;

  @Field({ description: 'The type downloads are sent with.' })
  @Column({ type: 'varchar', length: 200 })
  contentType: string;

  @Field({ description: 'Hex SHA-256 of the content.' })
  @Column({ type: 'varchar', length: 64 })
  sha256: string;

  /** The comment (a requester's reply) the file came with; null for files uploaded on their own. */
  @Column({ type: 'int', nullable: true })
  changeId: number | null;

  @ManyToOne(() => TicketChange, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'change_id' })
  change?: TicketChange;

  @Column({ type: 'int', nullable: true })
  uploadedById: number | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'uploaded_by_id' })
  uploadedBy?: User;

  @Field(() => Date, { description: 'When the file was uploaded.' })
  @Column({ ...DATETIME })
  createdAt: Date;

  @Field(() => Date, { description: 'When the periodic sweep removes the file.' })
  @Index()
  @Column({ ...DATETIME })
  expiresAt: Date;
}
