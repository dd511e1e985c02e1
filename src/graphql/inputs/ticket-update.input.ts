import { Field, InputType, Int } from 'type-graphql';
import { TicketFieldsInput } from './ticket-fields.input';

@InputType({ description: 'Sparse update: omitted fields stay as they are; null clears a clearable field.' })
export class TicketUpdateInput extends TicketFieldsInput {
  @Field(() => Int, { nullable: true, description: 'When given and the stored version differs, nothing is written and a CONFLICT userError is returned.' })
  expectedVersion?: number | null;

  @Field(() => String, { nullable: true, description: 'May not be blank.' })
  subject?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Locked tickets are not reopened by requester replies.' })
  locked?: boolean | null;
}
