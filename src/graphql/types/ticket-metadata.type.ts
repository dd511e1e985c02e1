import { Field, ObjectType } from 'type-graphql';
import { Category } from '../../entities/category.entity';
import { SlaPolicy } from '../../entities/sla-policy.entity';
import { Tag } from '../../entities/tag.entity';
import { TicketPriority, TicketStatus, TicketType } from '../../entities/ticket.enums';
import { User } from '../../entities/user.entity';
import { UserGroup } from '../../entities/user-group.entity';

@ObjectType({ description: 'Statuses a ticket may move to from one status.' })
export class WorkflowTransition {
  @Field(() => TicketStatus) from: TicketStatus;
  @Field(() => [TicketStatus]) to: TicketStatus[];
}

@ObjectType({ description: 'The configured workflow (WORKFLOW_FILE or the default).' })
export class Workflow {
  @Field(() => TicketStatus, { description: 'Status of a new ticket when none is given.' }) initial: TicketStatus;
  @Field(() => [WorkflowTransition]) transitions: WorkflowTransition[];
}

@ObjectType('TicketMetadata', { description: 'Everything a ticket form offers, in one query.' })
export class TicketMetadataType {
  @Field(() => [TicketType]) types: TicketType[];
  @Field(() => [TicketStatus]) statuses: TicketStatus[];
  @Field(() => [TicketPriority]) priorities: TicketPriority[];
  @Field(() => [Category], { description: 'Those you may use.' }) categories: Category[];
  @Field(() => [Tag]) tags: Tag[];
  @Field(() => [User], { description: 'Active users, for assignee, cc and requester pickers.' }) users: User[];
  @Field(() => [SlaPolicy]) slaPolicies: SlaPolicy[];
  @Field(() => [UserGroup]) groups: UserGroup[];
  @Field(() => Workflow) workflow: Workflow;
}
