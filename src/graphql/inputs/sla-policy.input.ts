import { Field, InputType, Int } from 'type-graphql';
import { TicketPriority } from '../../entities/ticket.enums';

@InputType()
export class BusinessHoursInput {
  @Field() timeZone: string;
  @Field(() => [Int]) days: number[];
  @Field() start: string;
  @Field() end: string;
}

@InputType({ description: 'On create, name and both times are required; on update, omitted fields stay.' })
export class SlaPolicyInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => TicketPriority, { nullable: true, description: 'Null: any priority.' }) priority?: TicketPriority | null;
  @Field(() => String, { nullable: true, description: 'Category key; null: any category.' }) category?: string | null;
  @Field(() => Int, { nullable: true }) responseMinutes?: number | null;
  @Field(() => Int, { nullable: true }) resolutionMinutes?: number | null;
  @Field(() => BusinessHoursInput, { nullable: true, description: 'Null: around the clock.' }) businessHours?: BusinessHoursInput | null;
}
