import { Field, Float, ObjectType } from 'type-graphql';
import { CustomField, CustomFieldChoice, CustomFieldType } from '../../entities/custom-field.entity';

/** A ticket's value of one custom field, with the variant of its type set. */
@ObjectType('CustomFieldValue', { description: "A ticket's value of a custom field. The variant of the field's type is set; the others are null." })
export class CustomFieldValue {
  @Field({ description: 'The custom field key.' }) key: string;
  @Field({ description: 'The field title.' }) title: string;
  @Field(() => CustomFieldType, { description: 'The field type: which variant is set.' }) type: CustomFieldType;
  @Field(() => CustomField, { description: 'The field definition.' }) field: CustomField;
  @Field(() => String, { nullable: true, description: 'TEXT value.' }) text: string | null;
  @Field(() => Float, { nullable: true, description: 'NUMBER value.' }) number: number | null;
  @Field(() => String, { nullable: true, description: 'DATE value, YYYY-MM-DD.' }) date: string | null;
  @Field(() => CustomFieldChoice, { nullable: true, description: 'SINGLE_CHOICE value.' }) choice: CustomFieldChoice | null;
  @Field(() => [CustomFieldChoice], { nullable: true, description: 'MULTI_CHOICE values, in the order of the field choices.' }) choices: CustomFieldChoice[] | null;
  /** USER: the user id (resolved to a User by the resolver). */
  userId: number | null;
  @Field({ description: 'The value as mail and history show it: the text, number, day, choice titles or username.' }) display: string;
}
