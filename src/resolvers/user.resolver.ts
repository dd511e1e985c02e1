import { Arg, Args, Ctx, Field, FieldResolver, ID, InputType, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ApiKey } from '../entities/api-key.entity';
import { Category } from '../entities/category.entity';
import { Privilege } from '../entities/ticket.enums';
import { User } from '../entities/user.entity';
import { ConnectionArgs } from '../graphql/args/connection.args';
import type { RequestContext } from '../graphql/context';
import { toGlobalId } from '../graphql/global-id';
import { UserConnection } from '../graphql/types/connections';
import { UserPayload } from '../graphql/types/payloads';
import { isAdmin } from '../services/access';

@InputType()
class UserCreateInput {
  @Field()
  username: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  email?: string | null;

  @Field(() => [Privilege], { nullable: true })
  privileges?: Privilege[] | null;

  @Field(() => [String], { nullable: true, description: 'Category keys the user is restricted to; omit for all categories.' })
  categories?: string[] | null;
}

@InputType()
class ViewerSettingsInput {
  @Field(() => Boolean, { nullable: true, description: 'false: no ticket mail to you (created, updated, overdue).' })
  mailEnabled?: boolean | null;
}

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { nullable: true, description: 'The authenticated caller; null when anonymous.' })
  viewer(@Ctx() ctx: RequestContext): User | null {
    return ctx.viewer?.user ?? null;
  }

  @Query(() => UserConnection, { description: 'Active users, for pickers.' })
  async users(@Ctx() ctx: RequestContext, @Args() args: ConnectionArgs): Promise<UserConnection> {
    return UserConnection.from(await ctx.services.users.list(ctx, args));
  }

  @Mutation(() => UserPayload, { description: 'Admin only.' })
  userCreate(@Ctx() ctx: RequestContext, @Arg('input') input: UserCreateInput): Promise<UserPayload> {
    return ctx.services.users.create(ctx, input);
  }

  @Mutation(() => UserPayload, { description: 'Your own settings.' })
  viewerSettingsUpdate(@Ctx() ctx: RequestContext, @Arg('input') input: ViewerSettingsInput): Promise<UserPayload> {
    return ctx.services.users.updateSettings(ctx, input);
  }

  @FieldResolver(() => Boolean, { nullable: true, description: 'Whether ticket mail reaches this user. Visible to the user and to admins.' })
  mailEnabled(@Root() user: User, @Ctx() ctx: RequestContext): boolean | null {
    return this.selfOrAdmin(user, ctx) ? user.mailEnabled : null;
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Yours only: unread tickets you created, requested, are assigned to or cc on.' })
  unreadCount(@Root() user: User, @Ctx() ctx: RequestContext): Promise<number> | null {
    return ctx.viewer?.user.id === user.id ? ctx.services.tickets.unreadCount(ctx) : null;
  }

  @FieldResolver(() => ID)
  id(@Root() user: User): string {
    return toGlobalId('User', user.id);
  }

  @FieldResolver(() => [Privilege], { nullable: true, description: 'Visible to the user and to admins.' })
  privileges(@Root() user: User, @Ctx() ctx: RequestContext): Privilege[] | null {
    return this.selfOrAdmin(user, ctx) ? user.privileges : null;
  }

  @FieldResolver(() => [Category], { nullable: true, description: 'Categories the user is restricted to (null: all). Visible to the user and to admins.' })
  async categories(@Root() user: User, @Ctx() ctx: RequestContext): Promise<(Category | null)[] | null> {
    if (!this.selfOrAdmin(user, ctx) || user.categoryIds === null) return null;
    return ctx.loaders.categoryById.loadMany(user.categoryIds).then((rows) => rows.filter((r): r is Category => r instanceof Category));
  }

  @FieldResolver(() => [ApiKey], { nullable: true, description: "The user's API keys (never the secrets). Visible to the user and to admins." })
  apiKeys(@Root() user: User, @Ctx() ctx: RequestContext): Promise<ApiKey[]> | null {
    return this.selfOrAdmin(user, ctx) ? ctx.services.apiKeys.listForUser(user.id) : null;
  }

  private selfOrAdmin(user: User, ctx: RequestContext): boolean {
    return ctx.viewer !== null && (ctx.viewer.user.id === user.id || isAdmin(ctx.viewer));
  }
}
