import { Field, InputType, registerEnumType } from 'type-graphql';

export enum TicketOrderField {
  NUMBER = 'number',
  CREATED = 'created',
  MODIFIED = 'modified',
  DUE = 'due',
  PRIORITY = 'priority',
}

export enum OrderDirection {
  ASC = 'asc',
  DESC = 'desc',
}

registerEnumType(TicketOrderField, { name: 'TicketOrderField' });
registerEnumType(OrderDirection, { name: 'OrderDirection' });

@InputType({ description: 'A sort key. Ties are broken by number, so pages never overlap or skip.' })
export class TicketOrder {
  @Field(() => TicketOrderField)
  field: TicketOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.DESC, description: 'DUE sorts tickets without a due date last when ascending.' })
  direction: OrderDirection;
}
