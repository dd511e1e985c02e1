import { Field, InputType, Int } from 'type-graphql';
import { TicketPriority, TicketStatus, TicketType } from '../../entities/ticket.enums';
import { TicketSource } from '../../entities/ticket-source.enum';
import { CustomFieldFilter } from './custom-field-filter.input';

/*
 * The typed ticket filter. Fields of one TicketFilter object are ANDed; and/or/not combine
 * filters. The query language (tickets(query:)) parses into exactly this structure, so a UI can
 * show what a query means (ticketQueryParse) and both paths run through one SQL compiler.
 * Comparators left out mean "no condition"; an empty `in` matches nothing, an empty `notIn` everything.
 */

@InputType({ description: 'Conditions on an integer (the ticket number).' })
export class IntFilter {
  @Field(() => Int, { nullable: true, description: 'Equal to.' }) eq?: number | null;
  @Field(() => [Int], { nullable: true, description: 'Equal to one of these.' }) in?: number[] | null;
  @Field(() => [Int], { nullable: true, description: 'Equal to none of these.' }) notIn?: number[] | null;
  @Field(() => Int, { nullable: true, description: 'Less than.' }) lt?: number | null;
  @Field(() => Int, { nullable: true, description: 'Less than or equal to.' }) lte?: number | null;
  @Field(() => Int, { nullable: true, description: 'Greater than.' }) gt?: number | null;
  @Field(() => Int, { nullable: true, description: 'Greater than or equal to.' }) gte?: number | null;
}

@InputType({ description: 'Conditions on a time. The query language turns a day (2021-02-01, today) into a gte/lt pair.' })
export class DateTimeFilter {
  @Field(() => Date, { nullable: true, description: 'At exactly this time.' }) eq?: Date | null;
  @Field(() => Date, { nullable: true, description: 'Before.' }) lt?: Date | null;
  @Field(() => Date, { nullable: true, description: 'At or before.' }) lte?: Date | null;
  @Field(() => Date, { nullable: true, description: 'After.' }) gt?: Date | null;
  @Field(() => Date, { nullable: true, description: 'At or after.' }) gte?: Date | null;
  @Field(() => Boolean, { nullable: true, description: 'true: no value set; false: any value set.' }) isNull?: boolean | null;
}

@InputType({ description: 'Conditions on the ticket type.' })
export class TicketTypeFilter {
  @Field(() => TicketType, { nullable: true, description: 'Equal to.' }) eq?: TicketType | null;
  @Field(() => [TicketType], { nullable: true, description: 'Equal to one of these.' }) in?: TicketType[] | null;
  @Field(() => [TicketType], { nullable: true, description: 'Equal to none of these.' }) notIn?: TicketType[] | null;
}

@InputType({ description: 'Conditions on the ticket status.' })
export class TicketStatusFilter {
  @Field(() => TicketStatus, { nullable: true, description: 'Equal to.' }) eq?: TicketStatus | null;
  @Field(() => [TicketStatus], { nullable: true, description: 'Equal to one of these.' }) in?: TicketStatus[] | null;
  @Field(() => [TicketStatus], { nullable: true, description: 'Equal to none of these.' }) notIn?: TicketStatus[] | null;
}

@InputType({ description: 'Conditions on the ticket source.' })
export class TicketSourceFilter {
  @Field(() => TicketSource, { nullable: true, description: 'Equal to.' }) eq?: TicketSource | null;
  @Field(() => [TicketSource], { nullable: true, description: 'Equal to one of these.' }) in?: TicketSource[] | null;
  @Field(() => [TicketSource], { nullable: true, description: 'Equal to none of these.' }) notIn?: TicketSource[] | null;
}

@InputType({ description: 'Priorities compare by rank: LOW < NORMAL < HIGH < URGENT.' })
export class TicketPriorityFilter {
  @Field(() => TicketPriority, { nullable: true, description: 'Equal to.' }) eq?: TicketPriority | null;
  @Field(() => [TicketPriority], { nullable: true, description: 'Equal to one of these.' }) in?: TicketPriority[] | null;
  @Field(() => [TicketPriority], { nullable: true, description: 'Equal to none of these.' }) notIn?: TicketPriority[] | null;
  @Field(() => TicketPriority, { nullable: true, description: 'Lower than.' }) lt?: TicketPriority | null;
  @Field(() => TicketPriority, { nullable: true, description: 'Lower than or equal to.' }) lte?: TicketPriority | null;
  @Field(() => TicketPriority, { nullable: true, description: 'Higher than.' }) gt?: TicketPriority | null;
  @Field(() => TicketPriority, { nullable: true, description: 'Higher than or equal to.' }) gte?: TicketPriority | null;
}

@InputType({ description: 'Conditions on a single-valued key: a category key, a creator or requester username or a server id.' })
export class KeyFilter {
  @Field(() => String, { nullable: true, description: 'Equal to.' }) eq?: string | null;
  @Field(() => [String], { nullable: true, description: 'Equal to one of these.' }) in?: string[] | null;
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
    'Full-text conditions. Words are letters, digits and underscores; short words (db, v2) match whole words only, ' +
    'a trailing * after at least 3 characters matches a prefix. Matching ignores case and accents; there is no stemming.',
})
export class TextFilter {
  @Field(() => String, { nullable: true, description: 'Every word appears, in any order.' }) contains?: string | null;
  @Field(() => String, { nullable: true, description: 'The words appear together, in this order.' }) phrase?: string | null;
}

@InputType({ description: 'A ticket filter. Fields are ANDed; use and/or/not to combine filters.' })
export class TicketFilter {
  @Field(() => [TicketFilter], { nullable: true, description: 'Every one of these filters matches.' }) and?: TicketFilter[] | null;
  @Field(() => [TicketFilter], { nullable: true, description: 'At least one of these filters matches.' }) or?: TicketFilter[] | null;
  @Field(() => TicketFilter, { nullable: true, description: 'This filter does not match.' }) not?: TicketFilter | null;

  @Field(() => IntFilter, { nullable: true, description: 'Ticket number.' }) number?: IntFilter | null;
  @Field(() => TicketTypeFilter, { nullable: true, description: 'Ticket type.' }) type?: TicketTypeFilter | null;
  @Field(() => TicketStatusFilter, { nullable: true, description: 'Ticket status.' }) status?: TicketStatusFilter | null;
  @Field(() => TicketPriorityFilter, { nullable: true, description: 'Ticket priority.' }) priority?: TicketPriorityFilter | null;
  @Field(() => KeyFilter, { nullable: true, description: 'Category key.' }) category?: KeyFilter | null;
  @Field(() => KeyListFilter, { nullable: true, description: 'Tag keys.' }) tags?: KeyListFilter | null;
  @Field(() => KeyFilter, { nullable: true, description: 'Server id.' }) server?: KeyFilter | null;
  @Field(() => KeyListFilter, { nullable: true, description: 'Assignee usernames.' }) assignees?: KeyListFilter | null;
  @Field(() => KeyListFilter, { nullable: true, description: 'Cc usernames.' }) cc?: KeyListFilter | null;
  @Field(() => KeyFilter, { nullable: true, description: 'Creator username.' }) creator?: KeyFilter | null;
  @Field(() => KeyFilter, { nullable: true, description: 'Requester username (whom the ticket is for); isNull: true matches tickets without one.' }) requester?: KeyFilter | null;
  @Field(() => TextFilter, { nullable: true, description: 'Subject, body and comment text together.' }) text?: TextFilter | null;
  @Field(() => TextFilter, { nullable: true, description: 'Subject text.' }) subject?: TextFilter | null;
  @Field(() => TextFilter, { nullable: true, description: 'Body text.' }) body?: TextFilter | null;
  @Field(() => TextFilter, { nullable: true, description: 'Comment text.' }) comments?: TextFilter | null;
  @Field(() => DateTimeFilter, { nullable: true, description: 'Creation time.' }) created?: DateTimeFilter | null;
  @Field(() => DateTimeFilter, { nullable: true, description: 'Time of the last change.' }) modified?: DateTimeFilter | null;
  @Field(() => DateTimeFilter, { nullable: true, description: 'Due date.' }) due?: DateTimeFilter | null;
  @Field(() => DateTimeFilter, { nullable: true, description: 'Time the ticket was resolved or closed.' }) closed?: DateTimeFilter | null;
  @Field(() => Boolean, { nullable: true, description: 'true: an SLA target was missed (response or resolution); false: none was.' }) slaBreached?: boolean | null;
  @Field(() => TicketSourceFilter, { nullable: true, description: 'The channel the ticket came in through.' }) source?: TicketSourceFilter | null;
  @Field(() => KeyFilter, { nullable: true, description: "The creating system's externalId (isNull: true for tickets without one)." }) externalId?: KeyFilter | null;
  @Field(() => [CustomFieldFilter], { nullable: true, description: 'Conditions on custom fields, by key; all must hold.' }) customFields?: CustomFieldFilter[] | null;
}
