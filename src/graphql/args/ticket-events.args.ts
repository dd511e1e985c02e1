import { ArgsType, Field, ID } from 'type-graphql';
import { ConnectionArgs } from './connection.args';

@ArgsType()
export class TicketEventsArgs extends ConnectionArgs {
  @Field(() => ID, { nullable: true, description: 'Only this ticket (global id or number).' })
  ticketId?: string | null;
}
