import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { UserErrorCode, type Refusal } from '../../common/result';

export { UserErrorCode };
registerEnumType(UserErrorCode, {
  name: 'UserErrorCode',
  description: 'Why a mutation input was refused.',
  valuesConfig: {
    BLANK: { description: 'A required value is missing or only whitespace.' },
    INVALID: { description: 'The value is malformed or out of range.' },
    TOO_LONG: { description: 'The value exceeds its maximum length.' },
    NOT_FOUND: { description: 'The object named by the id or key does not exist (or is not visible to the caller).' },
    TAKEN: { description: 'The value must be unique and another object already uses it.' },
    CONFLICT: { description: 'The object changed since the caller read it (expectedVersion does not match); refetch and retry.' },
    FORBIDDEN: { description: 'The caller lacks the privilege or ownership this change needs.' },
    FILE_TOO_LARGE: { description: 'An uploaded file exceeds the size limit.' },
    TOO_MANY_FILES: { description: 'More files in one request than allowed.' },
    EMPTY_FILE: { description: 'An uploaded file has no content.' },
    FILE_TYPE_NOT_ALLOWED: { description: 'The file type (by name or by content) is refused.' },
    INVALID_TRANSITION: { description: 'The workflow does not allow this status change (see `ticketMetadata.workflow`).' },
    IN_USE: { description: 'The object is still referenced and cannot be deleted.' },
    IDEMPOTENCY_KEY_REUSED: { description: 'The clientMutationId was already used with a different input in the last 24 hours; use a new one.' },
  },
});

@ObjectType({ description: 'A business or validation failure of a mutation. Nothing was written.' })
export class UserError implements Refusal {
  @Field(() => [String], { nullable: true, description: 'Path to the input field at fault, e.g. ["input", "subject"].' })
  field: string[] | null;

  @Field({ description: 'Human-readable explanation, in English.' })
  message: string;

  @Field(() => UserErrorCode, { description: 'Stable machine-readable reason; branch on this, not on message.' })
  code: UserErrorCode;
}
