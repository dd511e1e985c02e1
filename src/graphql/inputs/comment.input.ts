import { Field, ID, InputType, Int } from 'type-graphql';
import { CommentVisibility } from '../../entities/comment-visibility.enum';
import { EXPECTED_VERSION } from '../descriptions';

@InputType({ description: 'A comment on a ticket.' })
export class CommentAddInput {
  @Field(() => ID, { description: 'The ticket: global id or number.' })
  ticketId: string;

  @Field({ description: 'Markdown.' })
  body: string;

  @Field(() => CommentVisibility, { nullable: true, description: 'PUBLIC: a reply the requester reads and is mailed. INTERNAL (the default): a note for staff only.' })
  visibility?: CommentVisibility | null;

  @Field(() => String, { nullable: true, description: 'Makes retries safe: the same id with the same input within 24 h returns the first comment and writes nothing.' })
  clientMutationId?: string | null;
  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION })
  expectedVersion?: number | null;
}

@InputType({ description: 'The new text of a comment.' })
export class CommentUpdateInput {
  @Field(() => String, { nullable: true, description: 'Markdown. The previous text is kept in revisions. Leave out to change only the visibility.' })
  body?: string | null;

  @Field(() => CommentVisibility, { nullable: true, description: 'Make the comment public or internal (staff only); recorded as a COMMENT_VISIBILITY entry. A note made public for the first time is mailed to the requester as a reply.' })
  visibility?: CommentVisibility | null;

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION })
  expectedVersion?: number | null;
}
