import { Arg, Ctx, Field, FieldResolver, ID, InputType, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Category } from '../entities/category.entity';
import { Tag } from '../entities/tag.entity';
import type { RequestContext } from '../graphql/context';
import { toGlobalId } from '../graphql/global-id';
import { CategoryPayload, TagPayload } from '../graphql/types/payloads';

@InputType()
class LabelCreateInput {
  @Field({ description: 'Lower-case key, e.g. "database".' })
  key: string;

  @Field(() => String, { nullable: true, description: 'Display title; defaults to the key.' })
  title?: string | null;
}

@Resolver(() => Category)
export class CategoryResolver {
  @Query(() => [Category], { description: 'Categories the caller may use.' })
  categories(@Ctx() ctx: RequestContext): Promise<Category[]> {
    return ctx.services.labels.listCategories(ctx);
  }

  @Mutation(() => CategoryPayload, { description: 'Admin only.' })
  async categoryCreate(@Ctx() ctx: RequestContext, @Arg('input') input: LabelCreateInput): Promise<CategoryPayload> {
    const { label, userErrors } = await ctx.services.labels.createCategory(ctx, input.key, input.title);
    return { category: label, userErrors };
  }

  @FieldResolver(() => ID)
  id(@Root() category: Category): string {
    return toGlobalId('Category', category.id);
  }
}

@Resolver(() => Tag)
export class TagResolver {
  @Query(() => [Tag])
  tags(@Ctx() ctx: RequestContext): Promise<Tag[]> {
    return ctx.services.labels.listTags(ctx);
  }

  @Mutation(() => TagPayload, { description: 'Admin only.' })
  async tagCreate(@Ctx() ctx: RequestContext, @Arg('input') input: LabelCreateInput): Promise<TagPayload> {
    const { label, userErrors } = await ctx.services.labels.createTag(ctx, input.key, input.title);
    return { tag: label, userErrors };
  }

  @FieldResolver(() => ID)
  id(@Root() tag: Tag): string {
    return toGlobalId('Tag', tag.id);
  }
}
