import { Field, ObjectType } from 'type-graphql';
import { SlaPolicy } from '../../entities/sla-policy.entity';

@ObjectType('TicketSla', { description: "The ticket's service-level targets and where it stands." })
export class TicketSlaType {
  @Field(() => SlaPolicy, { description: 'The SLA policy that applies to the ticket.' }) policy: SlaPolicy;
  @Field(() => Date, { description: 'When the first response is due.' }) responseDueAt: Date;
  @Field(() => Date, { description: 'When the resolution is due.' }) resolutionDueAt: Date;
  @Field(() => Date, { nullable: true, description: 'First comment by someone other than the requester.' }) firstResponseAt: Date | null;
  @Field({ description: 'A target was missed (response or resolution).' }) breached: boolean;
  @Field({ description: 'Not breached yet, but less than a quarter of the resolution window is left.' }) atRisk: boolean;
}
