import { Job } from '../../entities/job.entity';
import { TicketChange } from '../../entities/ticket-change.entity';
import { Ticket } from '../../entities/ticket.entity';
import { User } from '../../entities/user.entity';
import { TicketStreamEvent } from './ticket-stream-event.type';
import { createConnectionType } from './connection.factory';

export const TicketConnection = createConnectionType('Ticket', Ticket);
export type TicketConnection = InstanceType<typeof TicketConnection>;
export const ChangeConnection = createConnectionType('Change', TicketChange);
export type ChangeConnection = InstanceType<typeof ChangeConnection>;
export const UserConnection = createConnectionType('User', User);
export type UserConnection = InstanceType<typeof UserConnection>;
export const JobConnection = createConnectionType('Job', Job);
export type JobConnection = InstanceType<typeof JobConnection>;
export const TicketStreamEventConnection = createConnectionType('TicketStreamEvent', TicketStreamEvent);
export type TicketStreamEventConnection = InstanceType<typeof TicketStreamEventConnection>;
