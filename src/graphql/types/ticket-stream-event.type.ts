import { Field, ObjectType } from 'type-graphql';
import { TicketChange } from '../../entities/ticket-change.entity';
import { Ticket } from '../../entities/ticket.entity';

@ObjectType('TicketStreamEvent', {
  description:
    'One entry of the change stream: a history entry (field change, comment, file, audit ...) and its ticket. ' +
    'Subscriptions deliver these; ticketChangeStream(after:) returns the same stream as a query, so a client that ' +
    'reconnects passes the last cursor it saw and fetches what it missed.',
})
export class TicketStreamEvent {
  @Field({ description: 'Opaque position in the change stream, ordered; the same cursor as in ticketChangeStream and Ticket.changes.' })
  cursor: string;

  @Field(() => Ticket, { description: 'The ticket as it is now (after the change).' })
  ticket: Ticket;

  @Field(() => TicketChange, { nullable: true, description: 'The history entry.' })
  change: TicketChange | null;
}
