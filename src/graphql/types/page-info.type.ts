import { Directive, Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Relay pagination state of a connection.' })
@Directive('@shareable')
export class PageInfo {
  @Field({ description: 'Whether more items follow this page (paging forward with `after: endCursor`).' })
  hasNextPage: boolean;

  @Field({ description: 'Whether items precede this page (paging backward with `before: startCursor`).' })
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first item of the page; null when the page is empty.' })
  startCursor: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item of the page; null when the page is empty.' })
  endCursor: string | null;
}
