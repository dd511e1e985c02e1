import { Field, InputType, Int } from 'type-graphql';
import { TicketPriority } from '../../entities/ticket.enums';

@InputType({ description: 'Working time: the SLA clock runs only then.' })
export class BusinessHoursInput {
  @Field({ description: 'IANA time zone, e.g. Europe/Berlin.' }) timeZone: string;
  @Field(() => [Int], { description: 'Working days: 1 = Monday ... 7 = Sunday.' }) days: number[];
  @Field({ description: 'Start of the working day, HH:MM.' }) start: string;
  @Field({ description: 'End of the working day, HH:MM.' }) end: string;
}

@InputType({ description: 'On create, name and both times are required; on update, omitted fields stay.' })
export class SlaPolicyInput {
  @Field(() => String, { nullable: true, description: 'Display name, unique.' }) name?: string | null;
  @Field(() => TicketPriority, { nullable: true, description: 'Null: any priority.' }) priority?: TicketPriority | null;
  @Field(() => String, { nullable: true, description: 'Category key; null: any category.' }) category?: string | null;
  @Field(() => Int, { nullable: true, description: 'Minutes (of business hours) until the first response is due.' }) responseMinutes?: number | null;
  @Field(() => Int, { nullable: true, description: 'Minutes (of business hours) until resolution is due.' }) resolutionMinutes?: number | null;
  @Field(() => BusinessHoursInput, { nullable: true, description: 'Null: around the clock.' }) businessHours?: BusinessHoursInput | null;
}
