import { Field, InputType } from 'type-graphql';
import { TicketPriority, TicketStatus, TicketType } from '../../entities/ticket.enums';
import { CustomFieldValueInput } from './custom-field.input';

/** Fields shared by create and update. On update, omitted fields stay as they are and null clears. */
@InputType()
export abstract class TicketFieldsInput {
  @Field(() => String, { nullable: true, description: 'Markdown.' })
  body?: string | null;

  @Field(() => TicketType, { nullable: true, description: 'Default on create: ISSUE.' })
  type?: TicketType | null;

  @Field(() => TicketStatus, { nullable: true, description: 'Default on create: OPEN. DRAFT records no history and sends no mail.' })
  status?: TicketStatus | null;

  @Field(() => TicketPriority, { nullable: true, description: 'Default on create: NORMAL.' })
  priority?: TicketPriority | null;

  @Field(() => String, { nullable: true, description: 'Category key; null clears it.' })
  category?: string | null;

  @Field(() => [String], { nullable: true, description: 'Tag keys; each tag must exist.' })
  tags?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Server id in the ops graph.' })
  server?: string | null;

  @Field(() => [String], { nullable: true, description: 'Usernames of existing users.' })
  assignees?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Usernames of existing users.' })
  cc?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'E-mail addresses.' })
  notify?: string[] | null;

  @Field(() => String, { nullable: true, description: 'ISO date or date-time, "today", "tomorrow", an offset like "3 days"; null or "none" clears it.' })
  due?: string | null;

  @Field(() => [CustomFieldValueInput], { nullable: true, description: 'Custom field values by key; fields not listed stay as they are. An entry without a value clears the field.' })
  customFields?: CustomFieldValueInput[] | null;
}
