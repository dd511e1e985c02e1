import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { ApiKey } from '../entities/api-key.entity';
import { Category } from '../entities/category.entity';
import { Privilege } from '../entities/ticket.enums';
import { User } from '../entities/user.entity';
import { ConnectionArgs } from '../graphql/args/connection.args';
import type { RequestContext } from '../graphql/context';
import { toGlobalId } from '../graphql/global-id';
import { UserCreateInput, UserUpdateInput, ViewerSettingsInput } from '../graphql/inputs/user.input';
import { payload } from '../graphql/payload';
import { PayloadMutation } from '../graphql/payload-mutation.decorator';
import { UserConnection } from '../graphql/types/connections';
import { UserPayload } from '../graphql/types/payloads';
import { adminCovers } from '../services/access';
import { ApiKeyService } from '../services/api-key.service';
import { TicketQueryService } from '../services/ticket-query.service';
import { UserService } from '../services/user.service';
import { GLOBAL_ID } from '../graphql/descriptions';

const userPayload = (user: User | null) => ({ user });

@Resolver(() => User)
export class UserResolver {
  constructor(
    private readonly userService: UserService,
    private readonly queries: TicketQueryService,
    private readonly apiKeyService: ApiKeyService,
  ) {}

  @Query(() => User, { nullable: true, description: 'The authenticated caller; null when anonymous.' })
  viewer(@Ctx() ctx: RequestContext): User | null {
    return ctx.viewer?.user ?? null;
  }

  @Authorized()
  @Query(() => UserConnection, { nullable: true, description: 'Active users, for pickers.' })
  async users(@Ctx() ctx: RequestContext, @Args() args: ConnectionArgs): Promise<UserConnection> {
    return UserConnection.from(await this.userService.list(ctx, args));
  }

  @Authorized()
  @Query(() => User, { nullable: true, description: 'An active user by username (case-insensitive), as `users` lists them; null when there is none.' })
  user(@Ctx() ctx: RequestContext, @Arg('username', { description: 'The login name, e.g. "admin".' }) username: string): Promise<User | null> {
    return this.userService.findActiveByUsername(ctx, username);
  }

  @Authorized(Privilege.ADMIN)
  @PayloadMutation(() => UserPayload, { description: 'Admin only.' })
  async userCreate(@Ctx() ctx: RequestContext, @Arg('input', { description: 'Fields of the new user.' }) input: UserCreateInput): Promise<UserPayload> {
    return payload(await this.userService.create(input, ctx.viewer), userPayload);
  }

  @Authorized(Privilege.ADMIN)
  @PayloadMutation(() => UserPayload, { description: "Admin only: changes a user's address, name and ownTicketsOnly; a limited admin only users no broader than itself. Takes effect on their next request." })
  async userUpdate(@Ctx() ctx: RequestContext, @Arg('input', { description: 'The user and the changes.' }) input: UserUpdateInput): Promise<UserPayload> {
    return payload(await this.userService.update(ctx, input), userPayload);
  }

  @Authorized()
  @PayloadMutation(() => UserPayload, { description: 'Your own settings.' })
  async viewerSettingsUpdate(@Ctx() ctx: RequestContext, @Arg('input', { description: "The caller's settings to change." }) input: ViewerSettingsInput): Promise<UserPayload> {
    return payload(await this.userService.updateSettings(ctx, input), userPayload);
  }

  @FieldResolver(() => String, { nullable: true, description: 'Visible to the user and to admins whose limit covers the user (null for everyone else, however the user is reached).' })
  email(@Root() user: User, @Ctx() ctx: RequestContext): string | null {
    return this.selfOrCoveringAdmin(user, ctx) ? user.email : null;
  }

  @FieldResolver(() => Boolean, { nullable: true, description: 'Whether ticket mail reaches this user. Visible to the user and to admins whose limit covers the user.' })
  mailEnabled(@Root() user: User, @Ctx() ctx: RequestContext): boolean | null {
    return this.selfOrCoveringAdmin(user, ctx) ? user.mailEnabled : null;
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Yours only: unread tickets you created, requested, are assigned to or cc on.' })
  unreadCount(@Root() user: User, @Ctx() ctx: RequestContext): Promise<number> | null {
    return ctx.viewer?.user.id === user.id ? this.queries.unreadCount(ctx) : null;
  }

  @FieldResolver(() => ID, { description: GLOBAL_ID })
  id(@Root() user: User): string {
    return toGlobalId('User', user.id);
  }

  @FieldResolver(() => [Privilege], { nullable: true, description: 'Visible to the user and to admins whose limit covers the user.' })
  privileges(@Root() user: User, @Ctx() ctx: RequestContext): Privilege[] | null {
    return this.selfOrCoveringAdmin(user, ctx) ? user.privileges : null;
  }

  @FieldResolver(() => Boolean, { nullable: true, description: "Whether the user sees only tickets they requested, created, or are assigned or cc'd on. Visible to the user and to admins whose limit covers the user." })
  ownTicketsOnly(@Root() user: User, @Ctx() ctx: RequestContext): boolean | null {
    return this.selfOrCoveringAdmin(user, ctx) ? user.ownTicketsOnly : null;
  }

  @FieldResolver(() => [Category], { nullable: true, description: 'Categories the user is restricted to (null: all). Visible to the user and to admins whose limit covers the user.' })
  async categories(@Root() user: User, @Ctx() ctx: RequestContext): Promise<(Category | null)[] | null> {
    if (!this.selfOrCoveringAdmin(user, ctx) || user.categoryIds === null) return null;
    return ctx.loaders.categoryById.loadMany(user.categoryIds).then((rows) => rows.filter((r): r is Category => r instanceof Category));
  }

  @FieldResolver(() => [ApiKey], { nullable: true, description: "The user's API keys (never the secrets). Visible to the user and to admins whose limit covers the user; a narrowed key sees only keys no broader than itself." })
  apiKeys(@Root() user: User, @Ctx() ctx: RequestContext): Promise<ApiKey[]> | null {
    return this.selfOrCoveringAdmin(user, ctx) ? this.apiKeyService.listVisible(ctx, user.id) : null;
  }

  /** The user, or an admin whose limit covers the user (access.ts adminCovers). */
  private selfOrCoveringAdmin(user: User, ctx: RequestContext): boolean {
    return ctx.viewer !== null && (ctx.viewer.user.id === user.id || adminCovers(ctx.viewer, user));
  }
}
