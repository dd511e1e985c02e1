import { Field, ID, InputType, Int } from 'type-graphql';
import { EXPECTED_VERSION } from '../descriptions';

@InputType({ description: 'A comment on a ticket.' })
export class CommentAddInput {
  @Field(() => ID, { description: 'The ticket: global id or number.' })
  ticketId: string;

  @Field({ description: 'Markdown.' })
  body: string;

  @Field(() => String, { nullable: true, description: 'Makes retries safe: the same id with the same input within 24 h returns the first comment and writes nothing.' })
  clientMutationId?: string | null;
  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION })
  expectedVersion?: number | null;
}

@InputType({ description: 'The new text of a comment.' })
export class CommentUpdateInput {
  @Field({ description: 'Markdown. The previous text is kept in revisions.' })
  body: string;

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION })
  expectedVersion?: number | null;
}
