import type { Workflow } from '../config/workflow';
import type { Database } from '../db/database';
import type { Category } from '../entities/category.entity';
import type { Tag } from '../entities/tag.entity';
import { TicketPriority, TicketStatus, TicketType } from '../entities/ticket.enums';
import { TicketSource } from '../entities/ticket-source.enum';
import { User } from '../entities/user.entity';
import { SlaPolicy } from '../entities/sla-policy.entity';
import type { UserGroup } from '../entities/user-group.entity';
import type { RequestContext } from '../graphql/context';
import type { CustomFieldService } from './custom-field.service';
import type { LabelService } from './label.service';
import type { CustomField } from '../entities/custom-field.entity';

export interface TicketMetadata {
  types: TicketType[];
  statuses: TicketStatus[];
  priorities: TicketPriority[];
  sources: TicketSource[];
  categories: Category[];
  tags: Tag[];
  users: User[];
  slaPolicies: SlaPolicy[];
  groups: UserGroup[];
  customFields: CustomField[];
  workflow: { initial: TicketStatus; transitions: { from: TicketStatus; to: TicketStatus[] }[] };
}

/** What a ticket form needs, in one round trip. */
export class MetadataService {
  constructor(
    private readonly db: Database,
    private readonly labels: LabelService,
    private readonly workflow: Workflow,
    private readonly customFields: CustomFieldService,
  ) {}

  async ticketMetadata(ctx: RequestContext): Promise<TicketMetadata> {
    const [categories, tags, users, slaPolicies, groups] = await Promise.all([
      this.labels.listCategories(ctx),
      this.labels.listTags(ctx),
      this.db.em(ctx).find(User, { where: { active: true }, order: { username: 'ASC' } }),
      this.db.em(ctx).find(SlaPolicy, { order: { name: 'ASC' } }),
      this.labels.listGroups(ctx),
    ]);
    return {
      types: Object.values(TicketType),
      statuses: Object.values(TicketStatus),
      priorities: [TicketPriority.LOW, TicketPriority.NORMAL, TicketPriority.HIGH, TicketPriority.URGENT],
      sources: Object.values(TicketSource),
      categories,
      tags,
      users,
      slaPolicies,
      groups,
      customFields: this.customFields.activeFields(),
      workflow: {
        initial: this.workflow.initial,
        transitions: Object.values(TicketStatus).map((from) => ({ from, to: this.workflow.transitions[from] })),
      },
    };
  }
}
