import { TicketChange } from '../../entities/ticket-change.entity';
import { Ticket } from '../../entities/ticket.entity';
import { User } from '../../entities/user.entity';
import { TicketEvent } from './ticket-event.type';
import { createConnectionType } from './connection.factory';

export const TicketConnection = createConnectionType('Ticket', Ticket);
export type TicketConnection = InstanceType<typeof TicketConnection>;
export const ChangeConnection = createConnectionType('Change', TicketChange);
export type ChangeConnection = InstanceType<typeof ChangeConnection>;
export const UserConnection = createConnectionType('User', User);
export type UserConnection = InstanceType<typeof UserConnection>;
export const TicketEventConnection = createConnectionType('TicketEvent', TicketEvent);
export type TicketEventConnection = InstanceType<typeof TicketEventConnection>;
