import { Field, InputType } from 'type-graphql';

// Tags, categories and groups follow one convention, like the rest of the schema: <Type>CreateInput
// with the required fields non-null (the schema says what a create needs, not a runtime userError)
// and <Type>UpdateInput where every field is optional and omitted fields stay as they are.

@InputType({ description: 'A new tag.' })
export class TagCreateInput {
  @Field({ description: 'Lower-case key, e.g. "database".' }) key: string;
  @Field(() => String, { nullable: true, description: 'Display title; defaults to the key.' }) title?: string | null;
}

@InputType({ description: 'Changes to a tag; omitted fields stay as they are.' })
export class TagUpdateInput {
  @Field(() => String, { nullable: true, description: 'New lower-case key.' }) key?: string | null;
  @Field(() => String, { nullable: true, description: 'New display title.' }) title?: string | null;
}

@InputType({ description: 'A new category.' })
export class CategoryCreateInput {
  @Field({ description: 'Lower-case key, e.g. "releases".' }) key: string;
  @Field(() => String, { nullable: true, description: 'Display title; defaults to the key.' }) title?: string | null;
  @Field(() => String, { nullable: true, description: 'Key of the group that works this category.' }) group?: string | null;
  @Field(() => Boolean, { nullable: true, description: "Give new tickets without assignees to the group's members in turn." }) autoAssign?: boolean | null;
}

@InputType({ description: 'Changes to a category; omitted fields stay as they are.' })
export class CategoryUpdateInput {
  @Field(() => String, { nullable: true, description: 'New lower-case key.' }) key?: string | null;
  @Field(() => String, { nullable: true, description: 'New display title.' }) title?: string | null;
  @Field(() => String, { nullable: true, description: 'Key of the group that works this category; null removes it.' }) group?: string | null;
  @Field(() => Boolean, { nullable: true, description: "Give new tickets without assignees to the group's members in turn." }) autoAssign?: boolean | null;
}

@InputType({ description: 'A new group.' })
export class GroupCreateInput {
  @Field({ description: 'Lower-case key, e.g. "desk".' }) key: string;
  @Field(() => String, { nullable: true, description: 'Display title; defaults to the key.' }) title?: string | null;
  @Field(() => [String], { nullable: true, description: 'Usernames of the members.' }) members?: string[] | null;
}

@InputType({ description: 'Changes to a group; omitted fields stay as they are.' })
export class GroupUpdateInput {
  @Field(() => String, { nullable: true, description: 'New lower-case key.' }) key?: string | null;
  @Field(() => String, { nullable: true, description: 'New display title.' }) title?: string | null;
  @Field(() => [String], { nullable: true, description: 'Usernames; replaces the members.' }) members?: string[] | null;
}
