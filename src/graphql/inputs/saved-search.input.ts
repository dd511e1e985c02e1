import { Field, InputType } from 'type-graphql';
import { TicketFilter } from './ticket-filter.input';
import { TicketOrder } from './ticket-order.input';

@InputType({ description: 'A saved search. query and filter are ANDed; both may be left out (every ticket).' })
export class SavedSearchCreateInput {
  @Field({ description: 'Unique per user, at most 100 characters.' })
  name: string;

  @Field(() => String, { nullable: true, description: 'A query in the tickets(query:) language.' })
  query?: string | null;

  @Field(() => TicketFilter, { nullable: true, description: 'A typed filter.' })
  filter?: TicketFilter | null;

  @Field(() => [TicketOrder], { nullable: true, description: 'Default: number descending.' })
  orderBy?: TicketOrder[] | null;
}

@InputType({ description: 'Omitted fields stay as they are; null clears query, filter or orderBy.' })
export class SavedSearchUpdateInput {
  @Field(() => String, { nullable: true, description: 'New name, unique per user, at most 100 characters.' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'A query in the tickets(query:) language.' })
  query?: string | null;

  @Field(() => TicketFilter, { nullable: true, description: 'A typed filter.' })
  filter?: TicketFilter | null;

  @Field(() => [TicketOrder], { nullable: true, description: 'How the results are sorted.' })
  orderBy?: TicketOrder[] | null;
}
