import { Arg, Ctx, Field, FieldResolver, ID, InputType, Mutation, Resolver, Root } from 'type-graphql';
import { ApiKey } from '../entities/api-key.entity';
import { User } from '../entities/user.entity';
import { Category } from '../entities/category.entity';
import { Privilege } from '../entities/ticket.enums';
import type { RequestContext } from '../graphql/context';
import { rowIdOf, toGlobalId } from '../graphql/global-id';
import { ApiKeyCreatePayload, ApiKeyPayload } from '../graphql/types/payloads';

@InputType()
class ApiKeyCreateInput {
  @Field({ description: 'What the key is for.' })
  name: string;

  @Field(() => String, { nullable: true, description: 'Owner; defaults to the caller. Only admins may name another user.' })
  username?: string | null;

  @Field(() => Date, { nullable: true })
  expiresAt?: Date | null;

  @Field(() => [Privilege], { nullable: true, description: "Limit the key to these privileges (each must be one its user has); omit for all of the user's." })
  privileges?: Privilege[] | null;

  @Field(() => [String], { nullable: true, description: 'Limit the key to tickets of these category keys (within the user\'s own restriction); omit for all the user may see.' })
  categories?: string[] | null;
}

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Mutation(() => ApiKeyCreatePayload, { description: 'Issues a key; the secret is in this response only.' })
  apiKeyCreate(@Ctx() ctx: RequestContext, @Arg('input') input: ApiKeyCreateInput): Promise<ApiKeyCreatePayload> {
    return ctx.services.apiKeys.issueFor(ctx, input.username ?? null, input.name, input.expiresAt ?? null, {
      privileges: input.privileges ?? null,
      categories: input.categories ?? null,
    });
  }

  @Mutation(() => ApiKeyPayload, { description: 'Revokes a key of the caller (or any key, for admins); it stops working at once.' })
  async apiKeyRevoke(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<ApiKeyPayload> {
    return ctx.services.apiKeys.revokeById(ctx, rowIdOf('ApiKey', id));
  }

  @FieldResolver(() => ID)
  id(@Root() key: ApiKey): string {
    return toGlobalId('ApiKey', key.id);
  }

  @FieldResolver(() => [Privilege], { nullable: true, description: "The privileges the key is limited to (null: all of its user's). In force: these and the user's, both." })
  privileges(@Root() key: ApiKey): Privilege[] | null {
    return key.privileges;
  }

  @FieldResolver(() => [Category], { nullable: true, description: "The categories the key is limited to (null: all its user may see)." })
  async categories(@Root() key: ApiKey, @Ctx() ctx: RequestContext): Promise<Category[] | null> {
    if (key.categoryIds === null) return null;
    const rows = await ctx.loaders.categoryById.loadMany(key.categoryIds);
    return rows.filter((c): c is Category => c instanceof Category);
  }

  @FieldResolver(() => User)
  async user(@Root() key: ApiKey, @Ctx() ctx: RequestContext): Promise<User> {
    return (await ctx.loaders.userById.load(key.userId)) as User;
  }
}
