import { Field, InputType } from 'type-graphql';
import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import { TicketSource } from '../../entities/ticket-source.enum';
import { TicketFieldsInput } from './ticket-fields.input';

@InputType({ description: 'A new ticket.' })
export class TicketCreateInput extends TicketFieldsInput {
  @Field({ description: 'Required, non-blank; HTML is removed.' })
  subject: string;

  @Field(() => String, {
    nullable: true,
    description:
      'Who the ticket is for: a username or an e-mail address (matched case-insensitively); default: you. An address no user has is NOT_FOUND, ' +
      'or with REQUESTER_AUTO_CREATE=true becomes a requester-only user (no privileges; sees and replies to its own tickets).',
  })
  requester?: string | null;

  @Field(() => TicketSource, {
    nullable: true,
    description: 'The channel: MANUAL, API or EMAIL (JOB and ALERT are set by ticketCreateFromJob/ticketCreateFromAlert). Default: API with an API key, MANUAL with a JWT.',
  })
  source?: TicketSource | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Your system's id for this ticket (1-100 characters), unique per source: a create repeating a source and externalId answers the existing ticket " +
      'unchanged (payload.existing: true; its other input is ignored, nothing is written, mailed or posted).',
  })
  externalId?: string | null;

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
