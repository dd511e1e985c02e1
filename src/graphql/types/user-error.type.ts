import { Field, ObjectType, registerEnumType } from 'type-graphql';

export enum UserErrorCode {
  BLANK = 'BLANK',
  INVALID = 'INVALID',
  TOO_LONG = 'TOO_LONG',
  NOT_FOUND = 'NOT_FOUND',
  TAKEN = 'TAKEN',
  CONFLICT = 'CONFLICT',
  FORBIDDEN = 'FORBIDDEN',
  FILE_TOO_LARGE = 'FILE_TOO_LARGE',
  TOO_MANY_FILES = 'TOO_MANY_FILES',
  EMPTY_FILE = 'EMPTY_FILE',
  FILE_TYPE_NOT_ALLOWED = 'FILE_TYPE_NOT_ALLOWED',
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  IN_USE = 'IN_USE',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
}
registerEnumType(UserErrorCode, { name: 'UserErrorCode', description: 'Why a mutation input was refused.' });

@ObjectType({ description: 'A business or validation failure of a mutation. Nothing was written.' })
export class UserError {
  @Field(() => [String], { nullable: true, description: 'Path to the input field at fault, e.g. ["input", "subject"].' })
  field: string[] | null;

  @Field()
  message: string;

  @Field(() => UserErrorCode)
  code: UserErrorCode;
}

export function userError(field: string[] | null, code: UserErrorCode, message: string): UserError {
  return Object.assign(new UserError(), { field, code, message });
}
