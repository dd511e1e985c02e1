import { Arg, Args, Ctx, Field, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { SavedSearch } from '../entities/saved-search.entity';
import { ConnectionArgs } from '../graphql/args/connection.args';
import type { RequestContext } from '../graphql/context';
import { SavedSearchCreateInput, SavedSearchUpdateInput } from '../graphql/inputs/saved-search.input';
import { OrderDirection, TicketOrderField } from '../graphql/inputs/ticket-order.input';
import { TicketConnection } from '../graphql/types/connections';
import { SavedSearchDeletePayload, SavedSearchPayload } from '../graphql/types/payloads';
import { filterToJson, type FilterJson } from '../search/ticket-filter.json';

@ObjectType('SavedSearchOrder', { description: 'A sort key of a saved search.' })
class SavedSearchOrder {
  @Field(() => TicketOrderField) field: TicketOrderField;
  @Field(() => OrderDirection) direction: OrderDirection;
}

@Resolver(() => SavedSearch)
export class SavedSearchResolver {
  @Query(() => [SavedSearch], { description: 'The built-in views (My open tickets, Overdue ...) followed by your saved searches.' })
  savedSearches(@Ctx() ctx: RequestContext): Promise<SavedSearch[]> {
    return ctx.services.savedSearches.list(ctx);
  }

  @Mutation(() => SavedSearchPayload)
  savedSearchCreate(@Ctx() ctx: RequestContext, @Arg('input') input: SavedSearchCreateInput): Promise<SavedSearchPayload> {
    return ctx.services.savedSearches.create(ctx, input);
  }

  @Mutation(() => SavedSearchPayload, { description: 'Built-in views cannot be changed (userError FORBIDDEN).' })
  savedSearchUpdate(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: SavedSearchUpdateInput): Promise<SavedSearchPayload> {
    return ctx.services.savedSearches.update(ctx, id, input);
  }

  @Mutation(() => SavedSearchDeletePayload)
  savedSearchDelete(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<SavedSearchDeletePayload> {
    return ctx.services.savedSearches.delete(ctx, id);
  }

  @FieldResolver(() => ID)
  id(@Ctx() ctx: RequestContext, @Root() s: SavedSearch): string {
    return ctx.services.savedSearches.globalId(s);
  }

  @FieldResolver(() => Boolean, { description: 'A view every user has; it cannot be changed or deleted.' })
  builtIn(@Root() s: SavedSearch): boolean {
    return s.builtInKey !== undefined;
  }

  @FieldResolver(() => GraphQLJSONObject, {
    nullable: true,
    description: 'The TicketFilter, as JSON in GraphQL spelling. For built-in views it is computed for you, now.',
  })
  filter(@Ctx() ctx: RequestContext, @Root() s: SavedSearch): FilterJson | null {
    const filter = ctx.services.savedSearches.filter(ctx, s);
    return filter && filterToJson(filter);
  }

  @FieldResolver(() => [SavedSearchOrder])
  orderBy(@Ctx() ctx: RequestContext, @Root() s: SavedSearch): SavedSearchOrder[] {
    return ctx.services.savedSearches.orderBy(s);
  }

  @FieldResolver(() => TicketConnection, { description: 'Runs the search now.' })
  async tickets(@Ctx() ctx: RequestContext, @Root() s: SavedSearch, @Args() args: ConnectionArgs): Promise<TicketConnection> {
    return TicketConnection.from(await ctx.services.savedSearches.run(ctx, s, args));
  }
}
