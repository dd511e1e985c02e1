import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Directive, Field, ObjectType } from 'type-graphql';
import { Node } from '../graphql/types/node.type';
import { DATETIME } from '../db/column-types';
import { Privilege } from './ticket.enums';

@ObjectType({ implements: Node, description: 'A person or a service account that calls the API.' })
@Directive('@key(fields: "username")')
@Entity('app_user')
export class User {
  @PrimaryGeneratedColumn()
  id: number;

  @Field({ description: 'Unique login name; lower-case letters, digits, dot, dash and underscore.' })
  @Column({ type: 'varchar', length: 64, unique: true })
  username: string;

  @Field({ description: 'Display name.' })
  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** Exposed in user.resolver.ts: only the user and admins may read it. */
  @Column({ type: 'varchar', length: 254, nullable: true })
  email: string | null;

  @Column({ type: 'simple-json' })
  privileges: Privilege[];

  /** Category ids this user is restricted to; null means every category. */
  @Column({ type: 'simple-json', nullable: true })
  categoryIds: number[] | null;

  /** Restricted to the tickets the user requested, created, or is assigned or cc'd on (the helpdesk's OnlyPrivate). */
  @Column({ type: 'boolean', default: false })
  ownTicketsOnly: boolean;

  @Field({ description: 'Inactive users cannot sign in.' })
  @Column({ type: 'boolean', default: true })
  active: boolean;

  /**
   * Created by ticketCreate from a requester's e-mail address (REQUESTER_AUTO_CREATE): no privileges,
   * and it sees only the tickets it requested (access.ts), where it may reply (ticketReply).
   */
  @Field({ description: 'A requester-only contact, created from an e-mail address when a ticket named it: no privileges, sees only the tickets it requested.' })
  @Column({ type: 'boolean', default: false })
  requesterOnly: boolean;

  /** Whether ticket mail is sent to this user (they can turn it off); exposed in user.resolver.ts. */
  @Column({ type: 'boolean', default: true })
  mailEnabled: boolean;

  @Field(() => Date, { description: 'When the account was created.' })
  @Column({ ...DATETIME })
  createdAt: Date;
}
