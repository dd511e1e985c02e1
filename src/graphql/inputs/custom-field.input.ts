import { Field, Float, InputType, Int } from 'type-graphql';
import { CustomFieldType } from '../../entities/custom-field.entity';

@InputType({ description: 'One allowed value of a choice field.' })
export class CustomFieldChoiceInput {
  @Field({ description: 'Lower-case key (letters, digits, _ and -), stored on tickets and used in searches.' }) key: string;
  @Field(() => String, { nullable: true, description: 'Display title; defaults to the key.' }) title?: string | null;
}

@InputType({ description: 'A new custom field.' })
export class CustomFieldCreateInput {
  @Field({ description: 'Lower-case key: a letter, then letters, digits or _ (it is used as cf.<key> in queries). Cannot change later.' }) key: string;
  @Field(() => String, { nullable: true, description: 'Display title; defaults to the key.' }) title?: string | null;
  @Field(() => CustomFieldType, { description: 'The value type.' }) type: CustomFieldType;
  @Field(() => [CustomFieldChoiceInput], { nullable: true, description: 'Required (at least one) for SINGLE_CHOICE and MULTI_CHOICE; refused for other types.' }) choices?: CustomFieldChoiceInput[] | null;
  @Field(() => [String], { nullable: true, description: 'Category keys in which tickets must have a value.' }) requiredInCategories?: string[] | null;
  @Field(() => Int, { nullable: true, description: 'Display order (ascending); default 0.' }) position?: number | null;
}

@InputType({ description: 'Changes to a custom field; omitted fields stay as they are. The key cannot change.' })
export class CustomFieldUpdateInput {
  @Field(() => String, { nullable: true, description: 'New display title.' }) title?: string | null;
  @Field(() => CustomFieldType, { nullable: true, description: 'New type; refused (IN_USE) while tickets hold values.' }) type?: CustomFieldType | null;
  @Field(() => [CustomFieldChoiceInput], { nullable: true, description: 'Replaces the choices; removing a choice tickets hold is refused (IN_USE).' }) choices?: CustomFieldChoiceInput[] | null;
  @Field(() => [String], { nullable: true, description: 'Replaces the category keys in which a value is required.' }) requiredInCategories?: string[] | null;
  @Field(() => Boolean, { nullable: true, description: 'false archives the field: values stay (and stay searchable) but cannot be set; true brings it back.' }) active?: boolean | null;
  @Field(() => Int, { nullable: true, description: 'New display order.' }) position?: number | null;
}

/*
 * A value to set on a ticket: the key and the one variant of the field's type. Typed variants (not
 * a JSON scalar) let the schema say what each type takes and let clients' code generators type it;
 * the service refuses a variant that is not the field's (naming the field and the variant it
 * takes). An entry with no variant, or its variant null, clears the value.
 */
@InputType({ description: 'A custom field value: its key and the variant of its type (text, number, date, choice, choices or user). No variant (or null) clears the value.' })
export class CustomFieldValueInput {
  @Field({ description: 'The custom field key, e.g. "site".' }) key: string;
  @Field(() => String, { nullable: true, description: 'TEXT fields: up to 500 characters; blank clears.' }) text?: string | null;
  @Field(() => Float, { nullable: true, description: 'NUMBER fields.' }) number?: number | null;
  @Field(() => String, { nullable: true, description: 'DATE fields: a calendar day, YYYY-MM-DD.' }) date?: string | null;
  @Field(() => String, { nullable: true, description: 'SINGLE_CHOICE fields: a choice key.' }) choice?: string | null;
  @Field(() => [String], { nullable: true, description: 'MULTI_CHOICE fields: choice keys (replaces the chosen ones; empty clears).' }) choices?: string[] | null;
  @Field(() => String, { nullable: true, description: 'USER fields: the username of an active user.' }) user?: string | null;
}
