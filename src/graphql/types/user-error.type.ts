import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { UserErrorCode, type Refusal } from '../../common/result';

export { UserErrorCode };
registerEnumType(UserErrorCode, { name: 'UserErrorCode', description: 'Why a mutation input was refused.' });

@ObjectType({ description: 'A business or validation failure of a mutation. Nothing was written.' })
export class UserError implements Refusal {
  @Field(() => [String], { nullable: true, description: 'Path to the input field at fault, e.g. ["input", "subject"].' })
  field: string[] | null;

  @Field()
  message: string;

  @Field(() => UserErrorCode)
  code: UserErrorCode;
}
