import { Field, InputType } from 'type-graphql';

/*
 * A condition on one custom field, by key. Values are strings read by the field's type: numbers
 * for NUMBER ("2.5"), days for DATE ("2026-01-31", or today / today-7d as in the query language),
 * choice keys for choice fields, usernames for USER, the exact text for TEXT. Strings keep the
 * filter one JSON shape for every type (ticketQueryParse, saved searches); a value the type cannot
 * read is a BAD_USER_INPUT error naming the field.
 */
@InputType({
  description:
    'Conditions on one custom field (all given comparators must hold for one of its values). Values are read by the field type: ' +
    'numbers for NUMBER, YYYY-MM-DD (or today, today-7d ...) for DATE, choice keys, usernames for USER, exact text for TEXT.',
})
export class CustomFieldFilter {
  @Field({ description: 'The custom field key, e.g. "site".' }) key: string;
  @Field(() => String, { nullable: true, description: 'Has this value (MULTI_CHOICE: has this choice among others).' }) eq?: string | null;
  @Field(() => [String], { nullable: true, description: 'Has one of these values.' }) in?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Has none of these values (also matches tickets without a value).' }) notIn?: string[] | null;
  @Field(() => String, { nullable: true, description: 'Less than (NUMBER and DATE fields).' }) lt?: string | null;
  @Field(() => String, { nullable: true, description: 'Less than or equal to (NUMBER and DATE fields).' }) lte?: string | null;
  @Field(() => String, { nullable: true, description: 'Greater than (NUMBER and DATE fields).' }) gt?: string | null;
  @Field(() => String, { nullable: true, description: 'Greater than or equal to (NUMBER and DATE fields).' }) gte?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'true: the ticket has no value; false: it has one.' }) isNull?: boolean | null;
}
