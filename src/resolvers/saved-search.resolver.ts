import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { SavedSearch } from '../entities/saved-search.entity';
import { ConnectionArgs } from '../graphql/args/connection.args';
import type { RequestContext } from '../graphql/context';
import type { SavedSearchRef } from '../graphql/global-id';
import { SavedSearchArg, savedSearchGlobalId } from '../graphql/id-args';
import { SavedSearchCreateInput, SavedSearchUpdateInput } from '../graphql/inputs/saved-search.input';
import { payload } from '../graphql/payload';
import { PayloadMutation } from '../graphql/payload-mutation.decorator';
import { TicketConnection } from '../graphql/types/connections';
import { DeletePayload, SavedSearchPayload } from '../graphql/types/payloads';
import { SavedSearchOrder } from '../graphql/types/saved-search-order.type';
import { filterToJson, type FilterJson } from '../search/ticket-filter.json';
import { SavedSearchService } from '../services/saved-search.service';
import { GLOBAL_ID } from '../graphql/descriptions';

const savedSearchPayload = (savedSearch: SavedSearch | null) => ({ savedSearch });
const deletedSearch = (search: SavedSearch | null) => ({ deletedId: search && savedSearchGlobalId(search) });

@Resolver(() => SavedSearch)
export class SavedSearchResolver {
  constructor(private readonly searches: SavedSearchService) {}

  @Authorized()
  @Query(() => [SavedSearch], { nullable: true, description: 'The built-in views (My open tickets, Overdue ...) followed by your saved searches.' })
  savedSearches(@Ctx() ctx: RequestContext): Promise<SavedSearch[]> {
    return this.searches.list(ctx);
  }

  @Authorized()
  @PayloadMutation(() => SavedSearchPayload, { description: "Saves a search for the caller; only its owner sees it." })
  async savedSearchCreate(@Ctx() ctx: RequestContext, @Arg('input', { description: 'Fields of the new saved search.' }) input: SavedSearchCreateInput): Promise<SavedSearchPayload> {
    return payload(await this.searches.create(ctx, input), savedSearchPayload);
  }

  @Authorized()
  @PayloadMutation(() => SavedSearchPayload, { description: 'Built-in views cannot be changed (userError FORBIDDEN).' })
  async savedSearchUpdate(@Ctx() ctx: RequestContext, @SavedSearchArg('id') id: SavedSearchRef | null, @Arg('input', { description: 'Fields to change; omitted fields keep their value.' }) input: SavedSearchUpdateInput): Promise<SavedSearchPayload> {
    return payload(await this.searches.update(ctx, id, input), savedSearchPayload);
  }

  @Authorized()
  @PayloadMutation(() => DeletePayload, { description: "Deletes one of the caller's saved searches (built-in views cannot be deleted)." })
  async savedSearchDelete(@Ctx() ctx: RequestContext, @SavedSearchArg('id') id: SavedSearchRef | null): Promise<DeletePayload> {
    return payload(await this.searches.delete(ctx, id), deletedSearch);
  }

  @FieldResolver(() => ID, { description: GLOBAL_ID })
  id(@Root() s: SavedSearch): string {
    return savedSearchGlobalId(s);
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
    const filter = this.searches.filter(ctx, s);
    return filter && filterToJson(filter);
  }

  @FieldResolver(() => [SavedSearchOrder], { description: 'How the results are sorted.' })
  orderBy(@Root() s: SavedSearch): SavedSearchOrder[] {
    return this.searches.orderBy(s);
  }

  @FieldResolver(() => TicketConnection, { description: 'Runs the search now.' })
  async tickets(@Ctx() ctx: RequestContext, @Root() s: SavedSearch, @Args() args: ConnectionArgs): Promise<TicketConnection> {
    return TicketConnection.from(await this.searches.run(ctx, s, args));
  }
}
