import { Field, ObjectType } from 'type-graphql';
import { OrderDirection, TicketOrderField } from '../inputs/ticket-order.input';

@ObjectType('SavedSearchOrder', { description: 'A sort key of a saved search.' })
export class SavedSearchOrder {
  @Field(() => TicketOrderField) field: TicketOrderField;
  @Field(() => OrderDirection) direction: OrderDirection;
}
