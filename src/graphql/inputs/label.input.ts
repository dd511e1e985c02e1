import { Field, InputType } from 'type-graphql';

@InputType({ description: 'A new tag.' })
export class LabelCreateInput {
  @Field({ description: 'Lower-case key, e.g. "database".' })
  key: string;

  @Field(() => String, { nullable: true, description: 'Display title; defaults to the key.' })
  title?: string | null;
}

@InputType({ description: 'Omitted fields stay as they are.' })
export class LabelUpdateInput {
  @Field(() => String, { nullable: true, description: 'New key.' }) key?: string | null;
  @Field(() => String, { nullable: true, description: 'New display title.' }) title?: string | null;
}

@InputType({ description: 'A category; on update, omitted fields stay as they are.' })
export class CategoryInput {
  @Field(() => String, { nullable: true, description: 'Required on create.' }) key?: string | null;
  @Field(() => String, { nullable: true, description: 'Display title; defaults to the key.' }) title?: string | null;
  @Field(() => String, { nullable: true, description: 'Key of the group that works this category; null removes it.' }) group?: string | null;
  @Field(() => Boolean, { nullable: true, description: "Give new tickets without assignees to the group's members in turn." }) autoAssign?: boolean | null;
}

@InputType({ description: 'A group; on update, omitted fields stay as they are.' })
export class GroupInput {
  @Field(() => String, { nullable: true, description: 'Required on create.' }) key?: string | null;
  @Field(() => String, { nullable: true, description: 'Display title; defaults to the key.' }) title?: string | null;
  @Field(() => [String], { nullable: true, description: 'Usernames; replaces the members.' }) members?: string[] | null;
}
