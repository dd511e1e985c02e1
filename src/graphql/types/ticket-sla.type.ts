import { Field, ObjectType } from 'type-graphql';
import { SlaPolicy } from '../../entities/sla-policy.entity';

@ObjectType('TicketSla', { description: "The ticket's service-level targets and where it stands." })
export class TicketSlaType {
  @Field(() => SlaPolicy) policy: SlaPolicy;
  @Field(() => Date) responseDueAt: Date;
  @Field(() => Date) resolutionDueAt: Date;
  @Field(() => Date, { nullable: true, description: 'First comment by someone other than the requester.' }) firstResponseAt: Date | null;
  @Field({ description: 'A target was missed (response or resolution).' }) breached: boolean;
  @Field({ description: 'Not breached yet, but less than a quarter of the resolution window is left.' }) atRisk: boolean;
}
