import { Field, InputType } from 'type-graphql';
import { Privilege } from '../../entities/ticket.enums';

@InputType({ description: 'A new user.' })
export class UserCreateInput {
  @Field({ description: 'Login name: 1-64 lower-case letters, digits, dots, dashes or underscores; unique.' })
  username: string;

  @Field(() => String, { nullable: true, description: 'Display name.' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'Address for ticket mail; null: no mail.' })
  email?: string | null;

  @Field(() => [Privilege], { nullable: true, description: 'What the user may do beyond reading; you can only grant privileges you hold.' })
  privileges?: Privilege[] | null;

  @Field(() => [String], { nullable: true, description: 'Category keys the user is restricted to; omit for all categories.' })
  categories?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: "true: the user (and every key of theirs) sees only tickets they requested, created, or are assigned or cc'd on. Default false; required when you are so restricted yourself." })
  ownTicketsOnly?: boolean | null;
}

@InputType({ description: 'Changes to a user (admins); omitted fields stay as they are.' })
export class UserUpdateInput {
  @Field({ description: 'Whom to change: the login name.' })
  username: string;

  @Field(() => String, { nullable: true, description: 'Address for ticket mail; null: no mail.' })
  email?: string | null;

  @Field(() => String, { nullable: true, description: 'Display name.' })
  name?: string | null;

  @Field(() => Boolean, { nullable: true, description: "true: the user and every key of theirs see only tickets they requested, created, or are assigned or cc'd on; false lifts it (not allowed to a caller so restricted itself)." })
  ownTicketsOnly?: boolean | null;
}

@InputType({ description: "The caller's own settings; omitted fields stay as they are." })
export class ViewerSettingsInput {
  @Field(() => Boolean, { nullable: true, description: 'false: no ticket mail to you (created, updated, overdue).' })
  mailEnabled?: boolean | null;
}
