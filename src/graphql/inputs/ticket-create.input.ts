import { Field, InputType } from 'type-graphql';
import { TicketFieldsInput } from './ticket-fields.input';

@InputType()
export class TicketCreateInput extends TicketFieldsInput {
  @Field({ description: 'Required, non-blank; HTML is removed.' })
  subject: string;
}
