import { Field, InputType } from 'type-graphql';
import { TicketFilter } from './ticket-filter.input';
import { TicketOrder } from './ticket-order.input';

@InputType({ description: 'A saved search. query and filter are ANDed; both may be left out (every ticket).' })
export class SavedSearchCreateInput {
  @Field({ description: 'Unique per user, at most 100 characters.' })
  name: string;

  @Field(() => String, { nullable: true })
  query?: string | null;

  @Field(() => TicketFilter, { nullable: true })
  filter?: TicketFilter | null;

  @Field(() => [TicketOrder], { nullable: true, description: 'Default: number descending.' })
  orderBy?: TicketOrder[] | null;
}

@InputType({ description: 'Omitted fields stay as they are; null clears query, filter or orderBy.' })
export class SavedSearchUpdateInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  query?: string | null;

  @Field(() => TicketFilter, { nullable: true })
  filter?: TicketFilter | null;

  @Field(() => [TicketOrder], { nullable: true })
  orderBy?: TicketOrder[] | null;
}
