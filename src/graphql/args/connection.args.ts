import { ArgsType, Field, Int } from 'type-graphql';

@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { nullable: true, description: 'Page size counting forward (default 20, at most 100).' })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Return items after this cursor (an `endCursor` or edge `cursor` of a previous page).' })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: 'Page size counting backward from `before` or the end.' })
  last?: number | null;

  @Field(() => String, { nullable: true, description: 'Return items before this cursor (a `startCursor` or edge `cursor` of a previous page).' })
  before?: string | null;
}
