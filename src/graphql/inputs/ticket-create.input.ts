import { Field, InputType } from 'type-graphql';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import { TicketFieldsInput } from './ticket-fields.input';

@InputType({ description: 'A new ticket.' })
export class TicketCreateInput extends TicketFieldsInput {
  @Field({ description: 'Required, non-blank; HTML is removed.' })
  subject: string;

  @Field(() => String, { nullable: true, description: 'Username of the person the ticket is for; default: you.' })
  requester?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Makes retries safe: the same id with the same input within 24 h returns the first result and writes nothing; with a different input it is a userError IDEMPOTENCY_KEY_REUSED.',
  })
  clientMutationId?: string | null;

  @Field(() => [GraphQLUpload], {
    nullable: true,
    description: 'Files to attach (GraphQL multipart request; send Apollo-Require-Preflight: true). All are stored or none.',
  })
  files?: Promise<FileUpload>[] | null;
}
