import { Arg, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { Category } from '../entities/category.entity';
import { Tag } from '../entities/tag.entity';
import { Privilege } from '../entities/ticket.enums';
import { User } from '../entities/user.entity';
import { UserGroup } from '../entities/user-group.entity';
import type { RequestContext } from '../graphql/context';
import { toGlobalId, type NodeTypeName } from '../graphql/global-id';
import { IdArg } from '../graphql/id-args';
import { CategoryCreateInput, CategoryUpdateInput, GroupCreateInput, GroupUpdateInput, TagCreateInput, TagUpdateInput } from '../graphql/inputs/label.input';
import { payload } from '../graphql/payload';
import { PayloadMutation } from '../graphql/payload-mutation.decorator';
import { CategoryPayload, DeletePayload, GroupPayload, TagPayload } from '../graphql/types/payloads';
import { LabelService, NEW } from '../services/label.service';
import { GLOBAL_ID } from '../graphql/descriptions';

const deleted = (type: NodeTypeName) => (id: number | null) => ({ deletedId: id === null ? null : toGlobalId(type, id) });
const categoryPayload = (category: Category | null) => ({ category });
const tagPayload = (tag: Tag | null) => ({ tag });
const groupPayload = (group: UserGroup | null) => ({ group });

@Resolver(() => Category)
export class CategoryResolver {
  constructor(private readonly labels: LabelService) {}

  @Authorized()
  @Query(() => [Category], { nullable: true, description: 'Categories the caller may use.' })
  categories(@Ctx() ctx: RequestContext): Promise<Category[]> {
    return this.labels.listCategories(ctx);
  }

  @Authorized(Privilege.MANAGE_CATEGORIES)
  @PayloadMutation(() => CategoryPayload, { description: 'Requires manage_categories.' })
  async categoryCreate(@Ctx() ctx: RequestContext, @Arg('input', { description: 'Fields of the new category.' }) input: CategoryCreateInput): Promise<CategoryPayload> {
    return payload(await this.labels.saveCategory(ctx, NEW, input), categoryPayload);
  }

  @Authorized(Privilege.MANAGE_CATEGORIES)
  @PayloadMutation(() => CategoryPayload, { description: 'Requires manage_categories.' })
  async categoryUpdate(@Ctx() ctx: RequestContext, @IdArg('id', 'Category') id: number | null, @Arg('input', { description: 'Fields to change; omitted fields keep their value.' }) input: CategoryUpdateInput): Promise<CategoryPayload> {
    return payload(await this.labels.saveCategory(ctx, id, input), categoryPayload);
  }

  @Authorized(Privilege.MANAGE_CATEGORIES)
  @PayloadMutation(() => DeletePayload, { description: 'Requires manage_categories. Refused (IN_USE) while tickets use it.' })
  async categoryDelete(@Ctx() ctx: RequestContext, @IdArg('id', 'Category') id: number | null): Promise<DeletePayload> {
    return payload(await this.labels.delete(ctx, 'Category', id), deleted('Category'));
  }

  @FieldResolver(() => ID, { description: GLOBAL_ID })
  id(@Root() category: Category): string {
    return toGlobalId('Category', category.id);
  }

  @FieldResolver(() => UserGroup, { nullable: true, description: 'The group whose members receive new tickets of this category in turn; null: none.' })
  group(@Ctx() ctx: RequestContext, @Root() category: Category): Promise<UserGroup | null> | null {
    // == null: a category just created on MySQL comes back without groupId set at all (found by fuzzing).
    return category.groupId == null ? null : this.labels.findGroup(ctx, category.groupId);
  }
}

@Resolver(() => Tag)
export class TagResolver {
  constructor(private readonly labels: LabelService) {}

  @Authorized()
  @Query(() => [Tag], { nullable: true, description: 'Every tag, by key.' })
  tags(@Ctx() ctx: RequestContext): Promise<Tag[]> {
    return this.labels.listTags(ctx);
  }

  @Authorized(Privilege.MANAGE_TAGS)
  @PayloadMutation(() => TagPayload, { description: 'Requires manage_tags.' })
  async tagCreate(@Ctx() ctx: RequestContext, @Arg('input', { description: 'Fields of the new tag.' }) input: TagCreateInput): Promise<TagPayload> {
    return payload(await this.labels.saveTag(ctx, NEW, input), tagPayload);
  }

  @Authorized(Privilege.MANAGE_TAGS)
  @PayloadMutation(() => TagPayload, { description: 'Requires manage_tags.' })
  async tagUpdate(@Ctx() ctx: RequestContext, @IdArg('id', 'Tag') id: number | null, @Arg('input', { description: 'Fields to change; omitted fields keep their value.' }) input: TagUpdateInput): Promise<TagPayload> {
    return payload(await this.labels.saveTag(ctx, id, input), tagPayload);
  }

  @Authorized(Privilege.MANAGE_TAGS)
  @PayloadMutation(() => DeletePayload, { description: 'Requires manage_tags. The tag is removed from its tickets.' })
  async tagDelete(@Ctx() ctx: RequestContext, @IdArg('id', 'Tag') id: number | null): Promise<DeletePayload> {
    return payload(await this.labels.delete(ctx, 'Tag', id), deleted('Tag'));
  }

  @FieldResolver(() => ID, { description: GLOBAL_ID })
  id(@Root() tag: Tag): string {
    return toGlobalId('Tag', tag.id);
  }
}

@Resolver(() => UserGroup)
export class GroupResolver {
  constructor(private readonly labels: LabelService) {}

  @Authorized()
  @Query(() => [UserGroup], { nullable: true, description: 'Every group, by key.' })
  groups(@Ctx() ctx: RequestContext): Promise<UserGroup[]> {
    return this.labels.listGroups(ctx);
  }

  @Authorized(Privilege.MANAGE_GROUPS)
  @PayloadMutation(() => GroupPayload, { description: 'Requires manage_groups.' })
  async groupCreate(@Ctx() ctx: RequestContext, @Arg('input', { description: 'Fields of the new group.' }) input: GroupCreateInput): Promise<GroupPayload> {
    return payload(await this.labels.saveGroup(ctx, NEW, input), groupPayload);
  }

  @Authorized(Privilege.MANAGE_GROUPS)
  @PayloadMutation(() => GroupPayload, { description: 'Requires manage_groups.' })
  async groupUpdate(@Ctx() ctx: RequestContext, @IdArg('id', 'Group') id: number | null, @Arg('input', { description: 'Fields to change; omitted fields keep their value.' }) input: GroupUpdateInput): Promise<GroupPayload> {
    return payload(await this.labels.saveGroup(ctx, id, input), groupPayload);
  }

  @Authorized(Privilege.MANAGE_GROUPS)
  @PayloadMutation(() => DeletePayload, { description: 'Requires manage_groups. Its categories stop auto-assigning.' })
  async groupDelete(@Ctx() ctx: RequestContext, @IdArg('id', 'Group') id: number | null): Promise<DeletePayload> {
    return payload(await this.labels.delete(ctx, 'Group', id), deleted('Group'));
  }

  @FieldResolver(() => ID, { description: GLOBAL_ID })
  id(@Root() group: UserGroup): string {
    return toGlobalId('Group', group.id);
  }

  @FieldResolver(() => [User], { description: 'The users in the group.' })
  members(@Ctx() ctx: RequestContext, @Root() group: UserGroup): Promise<User[]> {
    return this.labels.members(ctx, group.id);
  }
}
