import { Arg, Ctx, Field, FieldResolver, ID, InputType, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { Category } from '../entities/category.entity';
import { Tag } from '../entities/tag.entity';
import { User } from '../entities/user.entity';
import { UserGroup } from '../entities/user-group.entity';
import type { RequestContext } from '../graphql/context';
import { toGlobalId } from '../graphql/global-id';
import { CategoryPayload, TagPayload } from '../graphql/types/payloads';
import { UserError } from '../graphql/types/user-error.type';

@InputType()
class LabelCreateInput {
  @Field({ description: 'Lower-case key, e.g. "database".' })
  key: string;

  @Field(() => String, { nullable: true, description: 'Display title; defaults to the key.' })
  title?: string | null;
}

@InputType({ description: 'Omitted fields stay as they are.' })
class LabelUpdateInput {
  @Field(() => String, { nullable: true }) key?: string | null;
  @Field(() => String, { nullable: true }) title?: string | null;
}

@InputType()
class CategoryInput {
  @Field(() => String, { nullable: true, description: 'Required on create.' }) key?: string | null;
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => String, { nullable: true, description: 'Key of the group that works this category; null removes it.' }) group?: string | null;
  @Field(() => Boolean, { nullable: true, description: "Give new tickets without assignees to the group's members in turn." }) autoAssign?: boolean | null;
}

@InputType()
class GroupInput {
  @Field(() => String, { nullable: true, description: 'Required on create.' }) key?: string | null;
  @Field(() => String, { nullable: true }) title?: string | null;
  @Field(() => [String], { nullable: true, description: 'Usernames; replaces the members.' }) members?: string[] | null;
}

@ObjectType()
class GroupPayload {
  @Field(() => UserGroup, { nullable: true }) group: UserGroup | null;
  @Field(() => [UserError]) userErrors: UserError[];
}

@ObjectType()
class LabelDeletePayload {
  @Field(() => ID, { nullable: true }) deletedId: string | null;
  @Field(() => [UserError]) userErrors: UserError[];
}

@Resolver(() => Category)
export class CategoryResolver {
  @Query(() => [Category], { description: 'Categories the caller may use.' })
  categories(@Ctx() ctx: RequestContext): Promise<Category[]> {
    return ctx.services.labels.listCategories(ctx);
  }

  @Mutation(() => CategoryPayload, { description: 'Requires manage_categories.' })
  async categoryCreate(@Ctx() ctx: RequestContext, @Arg('input') input: CategoryInput): Promise<CategoryPayload> {
    const { label, userErrors } = await ctx.services.labels.saveCategory(ctx, null, input);
    return { category: label, userErrors };
  }

  @Mutation(() => CategoryPayload, { description: 'Requires manage_categories.' })
  async categoryUpdate(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: CategoryInput): Promise<CategoryPayload> {
    const { label, userErrors } = await ctx.services.labels.saveCategory(ctx, id, input);
    return { category: label, userErrors };
  }

  @Mutation(() => LabelDeletePayload, { description: 'Requires manage_categories. Refused (IN_USE) while tickets use it.' })
  categoryDelete(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<LabelDeletePayload> {
    return ctx.services.labels.delete(ctx, 'Category', id);
  }

  @FieldResolver(() => ID)
  id(@Root() category: Category): string {
    return toGlobalId('Category', category.id);
  }

  @FieldResolver(() => UserGroup, { nullable: true })
  group(@Ctx() ctx: RequestContext, @Root() category: Category): Promise<UserGroup | null> | null {
    // == null: a category just created on MySQL comes back without groupId set at all (found by fuzzing).
    return category.groupId == null ? null : ctx.services.labels.findGroup(ctx, category.groupId);
  }
}

@Resolver(() => Tag)
export class TagResolver {
  @Query(() => [Tag])
  tags(@Ctx() ctx: RequestContext): Promise<Tag[]> {
    return ctx.services.labels.listTags(ctx);
  }

  @Mutation(() => TagPayload, { description: 'Requires manage_tags.' })
  async tagCreate(@Ctx() ctx: RequestContext, @Arg('input') input: LabelCreateInput): Promise<TagPayload> {
    const { label, userErrors } = await ctx.services.labels.createTag(ctx, input.key, input.title);
    return { tag: label, userErrors };
  }

  @Mutation(() => TagPayload, { description: 'Requires manage_tags.' })
  async tagUpdate(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: LabelUpdateInput): Promise<TagPayload> {
    const { label, userErrors } = await ctx.services.labels.updateTag(ctx, id, input);
    return { tag: label, userErrors };
  }

  @Mutation(() => LabelDeletePayload, { description: 'Requires manage_tags. The tag is removed from its tickets.' })
  tagDelete(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<LabelDeletePayload> {
    return ctx.services.labels.delete(ctx, 'Tag', id);
  }

  @FieldResolver(() => ID)
  id(@Root() tag: Tag): string {
    return toGlobalId('Tag', tag.id);
  }
}

@Resolver(() => UserGroup)
export class GroupResolver {
  @Query(() => [UserGroup])
  groups(@Ctx() ctx: RequestContext): Promise<UserGroup[]> {
    return ctx.services.labels.listGroups(ctx);
  }

  @Mutation(() => GroupPayload, { description: 'Requires manage_groups.' })
  async groupCreate(@Ctx() ctx: RequestContext, @Arg('input') input: GroupInput): Promise<GroupPayload> {
    const { label, userErrors } = await ctx.services.labels.saveGroup(ctx, null, input);
    return { group: label, userErrors };
  }

  @Mutation(() => GroupPayload, { description: 'Requires manage_groups.' })
  async groupUpdate(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string, @Arg('input') input: GroupInput): Promise<GroupPayload> {
    const { label, userErrors } = await ctx.services.labels.saveGroup(ctx, id, input);
    return { group: label, userErrors };
  }

  @Mutation(() => LabelDeletePayload, { description: 'Requires manage_groups. Its categories stop auto-assigning.' })
  groupDelete(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<LabelDeletePayload> {
    return ctx.services.labels.delete(ctx, 'Group', id);
  }

  @FieldResolver(() => ID)
  id(@Root() group: UserGroup): string {
    return toGlobalId('Group', group.id);
  }

  @FieldResolver(() => [User])
  members(@Ctx() ctx: RequestContext, @Root() group: UserGroup): Promise<User[]> {
    return ctx.services.labels.members(group.id);
  }
}
