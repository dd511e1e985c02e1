import { Field, ID, InputType, Int } from 'type-graphql';
import { EXPECTED_VERSION } from '../descriptions';

// Mutations that used to take expectedVersion as a bare argument take it inside input, like every
// other mutation. One input type per mutation (GitHub's convention) so each can grow on its own.

@InputType({ description: 'Options of ticketDelete.' })
export class TicketDeleteInput {
  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion?: number | null;
}

@InputType({ description: 'Options of ticketRestore.' })
export class TicketRestoreInput {
  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion?: number | null;
}

@InputType({ description: 'Options of ticketPickUp.' })
export class TicketPickUpInput {
  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION }) expectedVersion?: number | null;
}

@InputType({ description: 'Options of commentDelete.' })
export class CommentDeleteInput {
  @Field(() => Int, { nullable: true, description: "The ticket's version you last saw: CONFLICT (nothing deleted) if it has changed since." })
  expectedVersion?: number | null;
}

@InputType({ description: 'Options of ticketEventRemove.' })
export class TicketEventRemoveInput {
  @Field(() => Int, { nullable: true, description: "The ticket's version you last saw: CONFLICT (nothing removed) if it has changed since." })
  expectedVersion?: number | null;
}

@InputType({ description: 'Options of ticketFileDelete.' })
export class TicketFileDeleteInput {
  @Field(() => Int, { nullable: true, description: "The ticket's version you last saw: CONFLICT (nothing removed) if it has changed since." })
  expectedVersion?: number | null;
}

@InputType({ description: 'The ticket and the options of ticketFilesUpload.' })
export class TicketFilesUploadInput {
  @Field(() => ID, { nullable: true, description: 'The ticket: its global id, its number ("42") or "#42". Required (here or, deprecated, as the ticketId argument).' })
  ticketId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Makes retries safe: the same id with the same ticket and file contents within 24 h returns the first files and stores nothing.',
  })
  clientMutationId?: string | null;

  @Field(() => Int, { nullable: true, description: "The ticket's version you last saw: CONFLICT (nothing stored) if it has changed since." })
  expectedVersion?: number | null;
}
