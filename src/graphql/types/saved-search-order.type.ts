import { Field, ObjectType } from 'type-graphql';
import { OrderDirection, TicketOrderField } from '../inputs/ticket-order.input';

@ObjectType('SavedSearchOrder', { description: 'A sort key of a saved search.' })
export class SavedSearchOrder {
  @Field(() => TicketOrderField, { description: 'The value sorted by.' }) field: TicketOrderField;
  @Field(() => OrderDirection, { description: 'Ascending or descending.' }) direction: OrderDirection;
  @Field(() => String, { nullable: true, description: 'With field CUSTOM_FIELD: the custom field key.' }) customField?: string | null;
}
