import { Arg, Authorized, Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import { ApiKey } from '../entities/api-key.entity';
import { User } from '../entities/user.entity';
import { Category } from '../entities/category.entity';
import { Privilege } from '../entities/ticket.enums';
import type { RequestContext } from '../graphql/context';
import { toGlobalId } from '../graphql/global-id';
import { IdArg } from '../graphql/id-args';
import { ApiKeyCreateInput } from '../graphql/inputs/api-key.input';
import { payload } from '../graphql/payload';
import { PayloadMutation } from '../graphql/payload-mutation.decorator';
import { ApiKeyCreatePayload, ApiKeyPayload } from '../graphql/types/payloads';
import { ApiKeyService, type IssuedKey } from '../services/api-key.service';
import { GLOBAL_ID } from '../graphql/descriptions';

const issued = (key: IssuedKey | null) => ({ apiKey: key?.apiKey ?? null, secret: key?.secret ?? null });
const apiKeyPayload = (apiKey: ApiKey | null) => ({ apiKey });

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  constructor(private readonly apiKeys: ApiKeyService) {}

  @Authorized()
  @PayloadMutation(() => ApiKeyCreatePayload, { description: 'Issues a key; the secret is in this response only.' })
  async apiKeyCreate(@Ctx() ctx: RequestContext, @Arg('input', { description: 'Options of the new key.' }) input: ApiKeyCreateInput): Promise<ApiKeyCreatePayload> {
    const key = await this.apiKeys.issueFor(ctx, input.username ?? null, input.name, input.expiresAt ?? null, {
      privileges: input.privileges ?? null,
      categories: input.categories ?? null,
      ownTicketsOnly: input.ownTicketsOnly ?? null,
    });
    return payload(key, issued);
  }

  @Authorized()
  @PayloadMutation(() => ApiKeyPayload, { description: 'Revokes a key of the caller (or any key, for admins); it stops working at once.' })
  async apiKeyRevoke(@Ctx() ctx: RequestContext, @IdArg('id', 'ApiKey') id: number | null): Promise<ApiKeyPayload> {
    return payload(await this.apiKeys.revokeById(ctx, id), apiKeyPayload);
  }

  @FieldResolver(() => ID, { description: GLOBAL_ID })
  id(@Root() key: ApiKey): string {
    return toGlobalId('ApiKey', key.id);
  }

  @FieldResolver(() => Boolean, { description: "Whether the key sees only its user's own tickets (by itself; a restricted user's keys are restricted as well, see User.ownTicketsOnly)." })
  ownTicketsOnly(@Root() key: ApiKey): boolean {
    return key.ownTicketsOnly;
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

  @FieldResolver(() => User, { description: 'The user the key acts as.' })
  async user(@Root() key: ApiKey, @Ctx() ctx: RequestContext): Promise<User> {
    return (await ctx.loaders.userById.load(key.userId)) as User;
  }
}
