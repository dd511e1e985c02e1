import { Field, InputType, Int } from 'type-graphql';
import { TicketPriority, TicketStatus, TicketType } from '../../entities/ticket.enums';

/*
 * The typed ticket filter. Fields of one TicketFilter object are ANDed; and/or/not combine
 * filters. The query language (tickets(query:)) parses into exactly this structure, so a UI can
 * show what a query means (ticketQueryParse) and both paths run through one SQL compiler.
 * Comparators left out mean "no condition"; an empty `in` matches nothing, an empty `notIn` everything.
 */

@InputType({ description: 'Conditions on an integer (the ticket number).' })
export class IntFilter {
  @Field(() => Int, { nullable: true }) eq?: number | null;
  @Field(() => [Int], { nullable: true }) in?: number[] | null;
  @Field(() => [Int], { nullable: true }) notIn?: number[] | null;
  @Field(() => Int, { nullable: true }) lt?: number | null;
  @Field(() => Int, { nullable: true }) lte?: number | null;
  @Field(() => Int, { nullable: true }) gt?: number | null;
  @Field(() => Int, { nullable: true }) gte?: number | null;
}

@InputType({ description: 'Conditions on a time. The query language turns a day (2021-02-01, today) into a gte/lt pair.' })
export class DateTimeFilter {
  @Field(() => Date, { nullable: true }) eq?: Date | null;
  @Field(() => Date, { nullable: true }) lt?: Date | null;
  @Field(() => Date, { nullable: true }) lte?: Date | null;
  @Field(() => Date, { nullable: true }) gt?: Date | null;
  @Field(() => Date, { nullable: true }) gte?: Date | null;
  @Field(() => Boolean, { nullable: true, description: 'true: no value set; false: any value set.' }) isNull?: boolean | null;
}

@InputType()
export class TicketTypeFilter {
  @Field(() => TicketType, { nullable: true }) eq?: TicketType | null;
  @Field(() => [TicketType], { nullable: true }) in?: TicketType[] | null;
  @Field(() => [TicketType], { nullable: true }) notIn?: TicketType[] | null;
}

@InputType()
export class TicketStatusFilter {
  @Field(() => TicketStatus, { nullable: true }) eq?: TicketStatus | null;
  @Field(() => [TicketStatus], { nullable: true }) in?: TicketStatus[] | null;
  @Field(() => [TicketStatus], { nullable: true }) notIn?: TicketStatus[] | null;
}

@InputType({ description: 'Priorities compare by rank: LOW < NORMAL < HIGH < URGENT.' })
export class TicketPriorityFilter {
  @Field(() => TicketPriority, { nullable: true }) eq?: TicketPriority | null;
  @Field(() => [TicketPriority], { nullable: true }) in?: TicketPriority[] | null;
  @Field(() => [TicketPriority], { nullable: true }) notIn?: TicketPriority[] | null;
  @Field(() => TicketPriority, { nullable: true }) lt?: TicketPriority | null;
  @Field(() => TicketPriority, { nullable: true }) lte?: TicketPriority | null;
  @Field(() => TicketPriority, { nullable: true }) gt?: TicketPriority | null;
  @Field(() => TicketPriority, { nullable: true }) gte?: TicketPriority | null;
}

@InputType({ description: 'Conditions on a single-valued key: a category key, a creator username or a server id.' })
export class KeyFilter {
  @Field(() => String, { nullable: true }) eq?: string | null;
  @Field(() => [String], { nullable: true }) in?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Also matches tickets without a value.' }) notIn?: string[] | null;
  @Field(() => String, { nullable: true, description: 'Substring match (server only).' }) contains?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'true: no value set; false: any value set.' }) isNull?: boolean | null;
}

@InputType({ description: 'Conditions on a list of keys (tag keys, assignee or cc usernames).' })
export class KeyListFilter {
  @Field(() => String, { nullable: true, description: 'The list contains this key.' }) eq?: string | null;
  @Field(() => [String], { nullable: true, description: 'The list contains at least one of these keys.' }) in?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'The list contains none of these keys.' }) notIn?: string[] | null;
  @Field(() => Boolean, { nullable: true, description: 'true: the list is empty; false: it is not.' }) isNull?: boolean | null;
}

@InputType({
  description:
    'Full-text conditions. Words are letters, digits and underscores; words shorter than 3 characters are ignored ' +
    '(as by the index), a trailing * matches a prefix. Matching ignores case and accents; there is no stemming.',
})
export class TextFilter {
  @Field(() => String, { nullable: true, description: 'Every word appears, in any order.' }) contains?: string | null;
  @Field(() => String, { nullable: true, description: 'The words appear together, in this order.' }) phrase?: string | null;
}

@InputType({ description: 'A ticket filter. Fields are ANDed; use and/or/not to combine filters.' })
export class TicketFilter {
  @Field(() => [TicketFilter], { nullable: true }) and?: TicketFilter[] | null;
  @Field(() => [TicketFilter], { nullable: true }) or?: TicketFilter[] | null;
  @Field(() => TicketFilter, { nullable: true }) not?: TicketFilter | null;

  @Field(() => IntFilter, { nullable: true }) number?: IntFilter | null;
  @Field(() => TicketTypeFilter, { nullable: true }) type?: TicketTypeFilter | null;
  @Field(() => TicketStatusFilter, { nullable: true }) status?: TicketStatusFilter | null;
  @Field(() => TicketPriorityFilter, { nullable: true }) priority?: TicketPriorityFilter | null;
  @Field(() => KeyFilter, { nullable: true, description: 'Category key.' }) category?: KeyFilter | null;
  @Field(() => KeyListFilter, { nullable: true, description: 'Tag keys.' }) tags?: KeyListFilter | null;
  @Field(() => KeyFilter, { nullable: true, description: 'Server id.' }) server?: KeyFilter | null;
  @Field(() => KeyListFilter, { nullable: true, description: 'Assignee usernames.' }) assignees?: KeyListFilter | null;
  @Field(() => KeyListFilter, { nullable: true, description: 'Cc usernames.' }) cc?: KeyListFilter | null;
  @Field(() => KeyFilter, { nullable: true, description: 'Creator username.' }) creator?: KeyFilter | null;
  @Field(() => TextFilter, { nullable: true, description: 'Subject, body and comment text together.' }) text?: TextFilter | null;
  @Field(() => TextFilter, { nullable: true }) subject?: TextFilter | null;
  @Field(() => TextFilter, { nullable: true }) body?: TextFilter | null;
  @Field(() => TextFilter, { nullable: true, description: 'Comment text.' }) comments?: TextFilter | null;
  @Field(() => DateTimeFilter, { nullable: true }) created?: DateTimeFilter | null;
  @Field(() => DateTimeFilter, { nullable: true }) modified?: DateTimeFilter | null;
  @Field(() => DateTimeFilter, { nullable: true }) due?: DateTimeFilter | null;
  @Field(() => DateTimeFilter, { nullable: true }) closed?: DateTimeFilter | null;
  @Field(() => Boolean, { nullable: true, description: 'true: an SLA target was missed (response or resolution); false: none was.' }) slaBreached?: boolean | null;
}
