import { Arg, Ctx, Field, FieldResolver, ID, InputType, Mutation, Resolver, Root } from 'type-graphql';
import { ApiKey } from '../entities/api-key.entity';
import { User } from '../entities/user.entity';
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
}

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Mutation(() => ApiKeyCreatePayload, { description: 'Issues a key; the secret is in this response only.' })
  apiKeyCreate(@Ctx() ctx: RequestContext, @Arg('input') input: ApiKeyCreateInput): Promise<ApiKeyCreatePayload> {
    return ctx.services.apiKeys.issueFor(ctx, input.username ?? null, input.name, input.expiresAt ?? null);
  }

  @Mutation(() => ApiKeyPayload, { description: 'Revokes a key of the caller (or any key, for admins); it stops working at once.' })
  async apiKeyRevoke(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<ApiKeyPayload> {
    return ctx.services.apiKeys.revokeById(ctx, rowIdOf('ApiKey', id));
  }

  @FieldResolver(() => ID)
  id(@Root() key: ApiKey): string {
    return toGlobalId('ApiKey', key.id);
  }

  @FieldResolver(() => User)
  async user(@Root() key: ApiKey, @Ctx() ctx: RequestContext): Promise<User> {
    return (await ctx.loaders.userById.load(key.userId)) as User;
  }
}
