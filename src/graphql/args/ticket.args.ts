import { CommentVisibility } from '../../entities/comment-visibility.enum';
import { ArgsType, Field } from 'type-graphql';
import { ChangeType } from '../../entities/ticket.enums';
import { TicketFilter } from '../inputs/ticket-filter.input';
import { TicketOrder } from '../inputs/ticket-order.input';
import { ConnectionArgs } from './connection.args';

@ArgsType()
export class TicketsArgs extends ConnectionArgs {
  @Field(() => Boolean, { nullable: true, description: 'Admins only: include soft-deleted tickets (deletedAt set).' })
  includeDeleted?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The ticket query language, e.g. `status:open due:<today`, `tags:db|web -closed`, `changes:"thank you"`. ' +
      'See ticketQueryParse for what a query means. ANDed with filter.',
  })
  query?: string | null;

  @Field(() => TicketFilter, { nullable: true, description: 'Typed conditions, ANDed with query.' })
  filter?: TicketFilter | null;

  @Field(() => [TicketOrder], { nullable: true, description: 'Sort keys in order; default number descending (newest first).' })
  orderBy?: TicketOrder[] | null;
}

@ArgsType()
export class TicketChangesArgs extends ConnectionArgs {
  @Field(() => [ChangeType], { nullable: true, description: 'Only entries of these types, e.g. [COMMENT].' })
  types?: ChangeType[] | null;

  @Field(() => CommentVisibility, { nullable: true, description: 'Only entries of this visibility, e.g. INTERNAL for the internal notes. Callers who do not read internal notes get public entries whatever this says.' })
  visibility?: CommentVisibility | null;
}
