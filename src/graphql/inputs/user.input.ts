import { Field, InputType } from 'type-graphql';
import { Privilege } from '../../entities/ticket.enums';

@InputType()
export class UserCreateInput {
  @Field()
  username: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  email?: string | null;

  @Field(() => [Privilege], { nullable: true })
  privileges?: Privilege[] | null;

  @Field(() => [String], { nullable: true, description: 'Category keys the user is restricted to; omit for all categories.' })
  categories?: string[] | null;
}

@InputType()
export class ViewerSettingsInput {
  @Field(() => Boolean, { nullable: true, description: 'false: no ticket mail to you (created, updated, overdue).' })
  mailEnabled?: boolean | null;
}
