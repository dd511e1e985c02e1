import { Field, ObjectType } from 'type-graphql';
import { Category } from '../../entities/category.entity';
import { CustomField } from '../../entities/custom-field.entity';
import { SlaPolicy } from '../../entities/sla-policy.entity';
import { Tag } from '../../entities/tag.entity';
import { TicketPriority, TicketStatus, TicketType } from '../../entities/ticket.enums';
import { TicketSource } from '../../entities/ticket-source.enum';
import { User } from '../../entities/user.entity';
import { UserGroup } from '../../entities/user-group.entity';

@ObjectType({ description: 'Statuses a ticket may move to from one status.' })
export class WorkflowTransition {
  @Field(() => TicketStatus, { description: 'The current status.' }) from: TicketStatus;
  @Field(() => [TicketStatus], { description: 'The statuses allowed next.' }) to: TicketStatus[];
}

@ObjectType({ description: 'The configured workflow (WORKFLOW_FILE or the default).' })
export class Workflow {
  @Field(() => TicketStatus, { description: 'Status of a new ticket when none is given.' }) initial: TicketStatus;
  @Field(() => [WorkflowTransition], { description: 'For each status, where a ticket may move from it.' }) transitions: WorkflowTransition[];
}

@ObjectType('TicketMetadata', { description: 'Everything a ticket form offers, in one query.' })
export class TicketMetadataType {
  @Field(() => [TicketType], { description: 'Every ticket type.' }) types: TicketType[];
  @Field(() => [TicketStatus], { description: 'Every ticket status.' }) statuses: TicketStatus[];
  @Field(() => [TicketPriority], { description: 'Every priority, lowest first.' }) priorities: TicketPriority[];
  @Field(() => [TicketSource], { description: 'Every ticket source (the channel a ticket came in through); ticketCreate accepts MANUAL, API and EMAIL.' }) sources: TicketSource[];
  @Field(() => [Category], { description: 'Those you may use.' }) categories: Category[];
  @Field(() => [Tag], { description: 'Every tag.' }) tags: Tag[];
  @Field(() => [User], { description: 'Active users, for assignee, cc and requester pickers.' }) users: User[];
  @Field(() => [SlaPolicy], { description: 'Every SLA policy.' }) slaPolicies: SlaPolicy[];
  @Field(() => [UserGroup], { description: 'Every group.' }) groups: UserGroup[];
  @Field(() => [CustomField], { description: 'Active custom fields in display order, with their types, choices and the categories requiring them.' }) customFields: CustomField[];
  @Field(() => Workflow, { description: 'Which status changes are allowed.' }) workflow: Workflow;
}
