import { Field, InputType, registerEnumType } from 'type-graphql';

export enum TicketOrderField {
  NUMBER = 'number',
  CREATED = 'created',
  MODIFIED = 'modified',
  DUE = 'due',
  PRIORITY = 'priority',
  CUSTOM_FIELD = 'custom_field',
}

export enum OrderDirection {
  ASC = 'asc',
  DESC = 'desc',
}

registerEnumType(TicketOrderField, {
  name: 'TicketOrderField',
  description: 'What tickets can be sorted by.',
  valuesConfig: {
    NUMBER: { description: 'Ticket number (creation order).' },
    CREATED: { description: 'Creation time.' },
    MODIFIED: { description: 'Time of the last change.' },
    DUE: { description: 'Due date.' },
    PRIORITY: { description: 'Priority rank.' },
    CUSTOM_FIELD: { description: 'The custom field named in customField (tickets without a value last when ascending; multi-choice fields by their first choice key, USER fields by username).' },
  },
});
registerEnumType(OrderDirection, {
  name: 'OrderDirection',
  description: 'Sort direction.',
  valuesConfig: { ASC: { description: 'Smallest or oldest first.' }, DESC: { description: 'Largest or newest first.' } },
});

@InputType({ description: 'A sort key. Ties are broken by number, so pages never overlap or skip.' })
export class TicketOrder {
  @Field(() => TicketOrderField, { description: 'The value to sort by.' })
  field: TicketOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.DESC, description: 'DUE sorts tickets without a due date last when ascending.' })
  direction: OrderDirection;

  @Field(() => String, { nullable: true, description: 'With field CUSTOM_FIELD: the custom field key to sort by.' })
  customField?: string | null;
}
